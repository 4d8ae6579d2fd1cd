import { execute, GraphQLInt, GraphQLObjectType, GraphQLSchema, GraphQLString, parse } from 'graphql';
import { dropPropertyReadResolvers } from '../../src/common/property-read-resolvers';

/** Resolvers shaped like Nest's own property reader (same function name), with or without a default. */
function nestReader(property: string, defaultValue?: unknown) {
  const rootFieldResolver = (root: Record<string, unknown>) => (typeof root[property] === 'undefined' ? defaultValue : root[property]);
  return rootFieldResolver;
}

function schemaWith(work: jest.Mock) {
  const Item = new GraphQLObjectType({
    name: 'Item',
    fields: {
      plain: { type: GraphQLString, resolve: nestReader('plain') },
      withDefault: { type: GraphQLInt, resolve: nestReader('withDefault', 7) },
      otherProperty: { type: GraphQLString, resolve: nestReader('renamed') },
      computed: { type: GraphQLString, resolve: work },
      none: { type: GraphQLString },
    },
  });
  return new GraphQLSchema({ query: new GraphQLObjectType({ name: 'Query', fields: { item: { type: Item, resolve: () => ({ plain: 'p', renamed: 'r', none: 'n' }) } } }) });
}

describe('dropPropertyReadResolvers', () => {
  it("removes exactly the resolvers that read the field's own property with no default, and runs no other", async () => {
    const work = jest.fn(() => 'c');
    const schema = schemaWith(work);
    const query = parse('{ item { plain withDefault otherProperty computed none } }');
    const before = await execute({ schema, document: query });
    work.mockClear();

    expect(dropPropertyReadResolvers(schema)).toBe(1);
    expect(work).not.toHaveBeenCalled();
    const fields = (schema.getType('Item') as GraphQLObjectType).getFields();
    expect(fields.plain.resolve).toBeUndefined();
    expect([fields.withDefault.resolve, fields.otherProperty.resolve, fields.computed.resolve].every(Boolean)).toBe(true);

    const after = await execute({ schema, document: query });
    expect(after).toEqual(before);
    expect(after.data).toEqual({ item: { plain: 'p', withDefault: 7, otherProperty: 'r', computed: 'c', none: 'n' } });
  });

  it('leaves a schema with nothing to remove as it was', () => {
    const schema = schemaWith(jest.fn());
    dropPropertyReadResolvers(schema);
    expect(dropPropertyReadResolvers(schema)).toBe(0);
  });
});
