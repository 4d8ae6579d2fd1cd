import { GraphQLFieldResolver, GraphQLSchema, isObjectType } from 'graphql';

/**
 * Nest gives every code-first field a resolver, even one that only reads the property of the same
 * name (its `rootFieldResolver`: `root[name]`, or the field's default value when that is undefined).
 * Without a resolver, graphql-jit compiles a field to that very property read; with one, it must call
 * the function and test the result for a promise, for every field of every result: on a search page
 * of 20 results × 19 fields that was a visible share of the hub's CPU per request.
 *
 * This removes the resolvers that are exactly a property read, found by what they do, not by name
 * alone: the function must be Nest's property reader, give back what the object holds and nothing
 * when it holds nothing (so no default value is lost). graphql-js's default resolver then reads the
 * same property. Returns how many it removed.
 *
 * The rule that follows: a property a field reads must hold the value itself. Compiled code reads it
 * synchronously, so a value known only later (a promise) needs a resolver of its own (as
 * VacancySearchConnection.totalCount has).
 */
export function dropPropertyReadResolvers(schema: GraphQLSchema): number {
  let dropped = 0;
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    for (const field of Object.values(type.getFields())) {
      if (field.resolve && isPropertyRead(field.resolve, field.name)) {
        field.resolve = undefined;
        dropped++;
      }
    }
  }
  return dropped;
}

const PROBE = Symbol('probe');

function isPropertyRead(resolve: GraphQLFieldResolver<unknown, unknown>, name: string): boolean {
  // Only Nest's reader is called here: another resolver might do real work on a made-up parent.
  if (resolve.name !== 'rootFieldResolver') return false;
  const call = resolve as (root: object) => unknown;
  return call({ [name]: PROBE }) === PROBE && call({}) === undefined;
}
