import type { GatewayExecutor } from '@apollo/server-gateway-interface';
import {
  execute,
  getOperationAST,
  GraphQLError,
  GraphQLID,
  GraphQLInt,
  GraphQLList,
  GraphQLNonNull,
  GraphQLObjectType,
  GraphQLSchema,
  GraphQLString,
  Kind,
  parse,
  validate,
} from 'graphql';
import * as jit from 'graphql-jit';
import { Errors } from '../../src/common/errors';
import { formatGraphqlError } from '../../src/common/graphql-errors';
import { jitGateway } from '../../src/common/jit-gateway';

jest.mock('graphql-jit', () => {
  const actual = jest.requireActual('graphql-jit');
  return { ...actual, compileQuery: jest.fn(actual.compileQuery) };
});
const compileQuery = jit.compileQuery as jest.MockedFunction<typeof jit.compileQuery>;

interface Ctx {
  calls: number;
}

function schemaNamed(label: string) {
  const Item = new GraphQLObjectType({
    name: 'Item',
    fields: {
      id: { type: new GraphQLNonNull(GraphQLID) },
      n: { type: GraphQLInt },
      label: { type: GraphQLString, resolve: () => label },
      strict: { type: new GraphQLNonNull(GraphQLInt), resolve: (item: { n: number }) => (item.n === 1 ? null : item.n) },
    },
  });
  const Query = new GraphQLObjectType({
    name: 'Query',
    fields: {
      items: {
        type: new GraphQLList(Item),
        args: { first: { type: new GraphQLNonNull(GraphQLInt) } },
        resolve: async (_root, { first }: { first: number }, ctx: Ctx) => {
          ctx.calls++;
          return Array.from({ length: first }, (_, i) => ({ id: String(i), n: i }));
        },
      },
      refused: {
        type: GraphQLInt,
        args: { code: { type: GraphQLString } },
        resolve: () => {
          throw Errors.badInput('filter.classAge', 'classAge must be 0–5.', 'classAge は 0〜5 です。');
        },
      },
    },
  });
  return new GraphQLSchema({ query: Query });
}

async function executorOf(schema: GraphQLSchema): Promise<GatewayExecutor> {
  const gateway = jitGateway(() => schema);
  let announced: GraphQLSchema | undefined;
  gateway.onSchemaLoadOrUpdate((s) => (announced = s.apiSchema));
  const { executor } = await gateway.load({ apollo: { key: undefined, keyHash: undefined, graphRef: undefined } as never });
  expect(announced).toBe(schema);
  return executor!;
}

/** What Apollo hands the executor: a document it has parsed and validated, the variables, the context. */
function requestFor(schema: GraphQLSchema, query: string, variables: Record<string, unknown> = {}, document = parse(query), operationName?: string) {
  expect(validate(schema, document)).toEqual([]);
  const context: Ctx = { calls: 0 };
  const operation = getOperationAST(document, operationName) ?? undefined;
  return {
    rc: { document, operation, operationName: operation?.name?.value ?? null, request: { query, variables, operationName }, context } as unknown as Parameters<GatewayExecutor>[0],
    context,
  };
}

const QUERIES: [string, string, Record<string, unknown>][] = [
  ['fields and aliases', '{ items(first: 3) { id n other: n label } }', {}],
  ['variables', 'query($f: Int!) { items(first: $f) { id } }', { f: 2 }],
  ['fragments', 'fragment F on Item { n label } { items(first: 2) { id ...F ... on Item { x: id } } }', {}],
  ['a null in a non-null field nulls its parent and reports the path', '{ items(first: 3) { id strict } }', {}],
  ['a resolver error beside data', '{ items(first: 1) { id } refused }', {}],
];

describe('jitGateway', () => {
  beforeEach(() => compileQuery.mockClear());

  it.each(QUERIES)('answers as graphql-js does: %s', async (_name, query, variables) => {
    const schema = schemaNamed('a');
    const exec = await executorOf(schema);
    const { rc } = requestFor(schema, query, variables);
    const jitResult = await exec(rc);
    const reference = await execute({ schema, document: rc.document, variableValues: variables, contextValue: { calls: 0 } });
    expect(JSON.parse(JSON.stringify(jitResult))).toEqual(JSON.parse(JSON.stringify(reference)));
    expect(compileQuery).toHaveBeenCalledTimes(1);
  });

  it('compiles an operation once and reuses it for every request with the same document', async () => {
    const schema = schemaNamed('a');
    const exec = await executorOf(schema);
    const document = parse('query($f: Int!) { items(first: $f) { id } }');
    for (const f of [1, 2, 3]) {
      const { rc } = requestFor(schema, '', { f }, document);
      expect(((await exec(rc)).data as { items: unknown[] }).items).toHaveLength(f);
    }
    expect(compileQuery).toHaveBeenCalledTimes(1);
  });

  it('leaves variables that do not coerce to graphql-js: Apollo then answers BAD_USER_INPUT with HTTP 400, and no resolver runs', async () => {
    const schema = schemaNamed('a');
    const exec = await executorOf(schema);
    const { rc, context } = requestFor(schema, 'query($f: Int!) { items(first: $f) { id } }', { f: 'three' });
    const result = await exec(rc);
    expect(result.data).toBeUndefined();
    const [error] = result.errors!;
    // Apollo's own test for a variable coercion error (requestPipeline: isBadUserInputGraphQLError).
    expect(error.nodes?.[0].kind).toBe(Kind.VARIABLE_DEFINITION);
    expect(error.message).toMatch(/^Variable "\$f" got invalid value "three"/);
    expect(context.calls).toBe(0);
  });

  it('hands resolver errors over as graphql-js errors carrying the HubError, so they format as before', async () => {
    const schema = schemaNamed('a');
    const exec = await executorOf(schema);
    const { rc } = requestFor(schema, '{ refused }');
    const [error] = (await exec(rc)).errors!;
    expect(error).toBeInstanceOf(GraphQLError);
    expect(error.extensions).toEqual({});
    expect(error.path).toEqual(['refused']);
    expect(error.locations).toEqual([{ line: 1, column: 3 }]);
    const formatted = formatGraphqlError({ message: error.message, path: error.path, locations: error.locations, extensions: error.extensions }, error);
    expect(formatted.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'filter.classAge', messageJa: 'classAge は 0〜5 です。' });
  });

  it('refuses an operation name the document does not have, instead of running its only operation', async () => {
    const schema = schemaNamed('a');
    const exec = await executorOf(schema);
    const { rc, context } = requestFor(schema, 'query A { items(first: 1) { id } }', {}, undefined, 'Nope');
    const result = await exec(rc);
    expect(result.data).toBeUndefined();
    expect(result.errors?.[0].message).toBe('Unknown operation named "Nope".');
    expect(context.calls).toBe(0);
  });

  it("keeps compiled operations per gateway: the same document on two schemas runs each schema's own resolvers", async () => {
    const [a, b] = [schemaNamed('a'), schemaNamed('b')];
    const [execA, execB] = [await executorOf(a), await executorOf(b)];
    const document = parse('{ items(first: 1) { label } }');
    expect((await execA(requestFor(a, '', {}, document).rc)).data).toEqual({ items: [{ label: 'a' }] });
    expect((await execB(requestFor(b, '', {}, document).rc)).data).toEqual({ items: [{ label: 'b' }] });
  });
});
