import { buildSchema, parse, validate } from 'graphql';
import { QUERY_LIMITS, queryShapeRule } from '../../src/common/query-limits';

const schema = buildSchema(`type Node { id: ID, child: Node } type Query { node: Node }`);
const nested = (depth: number) => `{ node ${'{ child '.repeat(depth - 2)}{ id }${' }'.repeat(depth - 2)} }`;
const codes = (query: string) =>
  validate(schema, parse(query), [queryShapeRule]).map((e) => (e.originalError as { code?: string } | undefined)?.code);

describe('query shape limits', () => {
  it.each([
    [QUERY_LIMITS.maxDepth, []],
    [QUERY_LIMITS.maxDepth + 1, ['QUERY_TOO_COMPLEX']],
  ])('a query %i levels deep → %j', (depth, expected) => {
    expect(codes(nested(depth))).toEqual(expected);
  });

  it('counts depth through fragments, and does not loop on a fragment that spreads itself', () => {
    const deepViaFragment = `fragment F on Node { child { child { child { child { child { child { child { child { child { id } } } } } } } } } } { node { ...F } }`;
    expect(codes(deepViaFragment)).toEqual(['QUERY_TOO_COMPLEX']);
    // graphql's own NoFragmentCyclesRule refuses this; the depth rule must still terminate on it
    expect(codes(`fragment G on Node { child { ...G } } { node { ...G } }`)).toEqual([]);
  });

  it.each([
    [QUERY_LIMITS.maxAliases, []],
    [QUERY_LIMITS.maxAliases + 1, ['QUERY_TOO_COMPLEX']],
  ])('%i aliases → %j', (n, expected) => {
    expect(codes(`{ ${Array.from({ length: n }, (_, i) => `a${i}: node { id }`).join(' ')} }`)).toEqual(expected);
  });
});
