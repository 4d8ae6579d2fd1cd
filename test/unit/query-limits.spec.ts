import { buildSchema, OperationDefinitionNode, parse, specifiedRules, validate } from 'graphql';
import { fieldExtensionsEstimator, getComplexity, simpleEstimator } from 'graphql-query-complexity';
import { documentShapeProblem, parserLimitError, QUERY_LIMITS, QUERY_PARSE_OPTIONS, queryCost, queryShapeRules } from '../../src/common/query-limits';

const schema = buildSchema(`
  type Node { id: ID, child: Node, items(first: Int = 20): [Node!]! }
  type Query { node: Node, nodes(first: Int = 20, after: String): [Node!]! }
  type Mutation { touch: Int }
`);
const nested = (depth: number) => `{ node ${'{ child '.repeat(depth - 2)}{ id }${' }'.repeat(depth - 2)} }`;
/** The codes validation reports, with graphql-js's own rules first as Apollo runs them. */
const codes = (query: string, parseOptions = QUERY_PARSE_OPTIONS) =>
  validate(schema, parse(query, parseOptions), [...specifiedRules, ...queryShapeRules]).map((e) => (e.originalError as { code?: string } | undefined)?.code ?? e.extensions.code ?? e.message);
const fragmentBomb = (levels: number, leaf = 'a: nodes(first: 1) { id }') =>
  `{ ...L0 } ${Array.from({ length: levels - 1 }, (_, i) => `fragment L${i} on Query { ${Array(10).fill(`...L${i + 1}`).join(' ')} }`).join(' ')} fragment L${levels - 1} on Query { ${leaf} }`;
const fragmentChain = (n: number) =>
  `{ ...F0 } ${Array.from({ length: n }, (_, i) => (i < n - 1 ? `fragment F${i} on Query { ...F${i + 1} }` : `fragment F${i} on Query { __typename }`)).join(' ')}`;

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
    // graphql's own NoFragmentCyclesRule refuses this; the limits must still terminate on it
    expect(codes(`fragment G on Node { child { ...G } } { node { ...G } }`)).toEqual([expect.stringMatching(/Cannot spread fragment "G" within itself/)]);
    expect(queryCost(schema, parse(`fragment G on Node { child { ...G } } { node { ...G } }`), opOf(`fragment G on Node { child { ...G } } { node { ...G } }`), {})).toBeGreaterThan(0);
  });

  it.each([
    [QUERY_LIMITS.maxAliases, []],
    [QUERY_LIMITS.maxAliases + 1, ['QUERY_TOO_COMPLEX']],
  ])('%i aliases → %j', (n, expected) => {
    expect(codes(`{ ${Array.from({ length: n }, (_, i) => `a${i}: node { id }`).join(' ')} }`)).toEqual(expected);
  });

  it('counts aliases and directives as spread: a fragment spread ten times counts ten times, computed once', () => {
    const spreads = (n: number) => `{ node { ${Array(n).fill('...A').join(' ')} } } fragment A on Node { x1: id x2: id x3: id }`;
    expect(codes(spreads(10))).toEqual([]);
    expect(codes(`{ node { ...A ...B } } fragment A on Node { ${Array.from({ length: 16 }, (_, i) => `a${i}: id`).join(' ')} } fragment B on Node { ${Array.from({ length: 16 }, (_, i) => `b${i}: id`).join(' ')} }`)).toEqual(['QUERY_TOO_COMPLEX']);
    const directives = (n: number) => `query($y: Boolean!) { node { ${Array.from({ length: n }, () => 'id @include(if: $y)').join(' ')} } }`;
    expect(codes(directives(QUERY_LIMITS.maxRepeatsOfField))).toEqual([]);
    expect(codes(`query($y: Boolean!) { node { ...D ...E ...F } } ${['D', 'E', 'F'].map((f) => `fragment ${f} on Node { ${Array.from({ length: 17 }, (_, i) => `${f}${i}: id @include(if: $y)`).join(' ')} }`).join(' ')}`)).toContain('QUERY_TOO_COMPLEX');
  });

  it('refuses a subscription (this API has none) as a validation error', () => {
    expect(codes('subscription { __typename }')).toEqual(['GRAPHQL_VALIDATION_FAILED']);
  });

  it('refuses the ten-level fragment bomb by its aliases without expanding it', () => {
    expect(codes(fragmentBomb(10))).toContain('QUERY_TOO_COMPLEX');
    expect(documentShapeProblem(parse(fragmentBomb(10)))).toBeUndefined();
  });

  it('refuses a chain of 3,000 fragments by their number, before anything recurses over it', () => {
    const doc = parse(fragmentChain(3000));
    expect(documentShapeProblem(doc)?.details).toEqual({ fragments: 3000, limit: QUERY_LIMITS.maxFragments });
    // only this error: graphql-js's own rules (NoFragmentCycles recurses along the chain) never visit it
    expect(codes(fragmentChain(3000), {})).toEqual(['QUERY_TOO_COMPLEX']);
    // with the hub's parser limits it does not even get that far: 109 KB, 24,000 tokens
    expect(() => parse(fragmentChain(3000), QUERY_PARSE_OPTIONS)).toThrow(/Source contains more than/);
    expect(() => parse(fragmentChain(1000), QUERY_PARSE_OPTIONS)).toThrow(/tokens/);
    expect(codes(fragmentChain(QUERY_LIMITS.maxFragments))).toEqual([]);
  });

  it('refuses the same field selected too often at one place, counting fragments and merged parents', () => {
    const many = (n: number) => `{ ${Array(n).fill('node { id }').join(' ')} }`;
    expect(codes(many(QUERY_LIMITS.maxRepeatsOfField))).toEqual([]);
    // 1,000 × 'node { id }': graphql-js would compare 500,000 pairs; refused with one error before it starts
    expect(codes(many(1000))).toEqual(['QUERY_TOO_COMPLEX']);
    expect(documentShapeProblem(parse(many(QUERY_LIMITS.maxRepeatsOfField + 1)))?.details).toMatchObject({ field: 'node', repeats: QUERY_LIMITS.maxRepeatsOfField + 1 });
    // 5 × node { 5 × id } merges into 25 ids under one node: what graphql-js compares pairwise
    expect(documentShapeProblem(parse(`{ ${Array(5).fill(`node { ${Array(5).fill('id').join(' ')} }`).join(' ')} }`))?.details).toMatchObject({ field: 'id', repeats: 25 });
    expect(documentShapeProblem(parse(`{ node { ...A ...B } } fragment A on Node { ${Array(11).fill('id').join(' ')} } fragment B on Node { ${Array(11).fill('id').join(' ')} }`))?.details).toMatchObject({ field: 'id', repeats: 22 });
  });

  it('refuses a document whose fragments expand to more fields than the budget', () => {
    const wide = Array.from({ length: 20 }, (_, i) => `f${i}: id`).join(' ');
    const levels = `{ node { ...W0 } } ${Array.from({ length: 4 }, (_, i) => `fragment W${i} on Node { ${wide} ${['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j'].map((l) => `${l}: child { ...W${i + 1} }`).join(' ')} }`).join(' ')} fragment W4 on Node { id }`;
    expect(documentShapeProblem(parse(levels))?.details).toMatchObject({ measure: 'expandedFields' });
  });

  it('maps the parser limits to QUERY_TOO_COMPLEX', () => {
    const tooLong = `{ node { id } }${' '.repeat(QUERY_LIMITS.maxSourceLength)}`;
    const tooManyTokens = `{ ${Array(QUERY_LIMITS.maxTokens).fill('id').join(' ')} }`;
    for (const text of [tooLong, tooManyTokens]) {
      let message = '';
      try {
        parse(text, QUERY_PARSE_OPTIONS);
      } catch (e) {
        message = (e as Error).message;
      }
      expect(parserLimitError(message)?.code).toBe('QUERY_TOO_COMPLEX');
    }
    expect(parserLimitError('Syntax Error: Expected Name, found <EOF>.')).toBeUndefined();
  });
});

function opOf(query: string, name?: string): OperationDefinitionNode {
  return parse(query).definitions.find((d): d is OperationDefinitionNode => d.kind === 'OperationDefinition' && (!name || d.name?.value === name))!;
}

describe('query cost', () => {
  /** The estimator the hub used with graphql-query-complexity: the cost rules to stay compatible with. */
  const reference = (query: string, variables: Record<string, unknown> = {}) =>
    getComplexity({
      schema,
      query: parse(query),
      variables,
      estimators: [
        fieldExtensionsEstimator(),
        ({ args, childComplexity }) => {
          const first = typeof args.first === 'number' ? Math.min(Math.max(args.first, 1), 100) : undefined;
          return first !== undefined ? 1 + childComplexity * first : undefined;
        },
        simpleEstimator({ defaultComplexity: 1 }),
      ],
    });

  it.each<[string, string, Record<string, unknown>]>([
    ['scalars', '{ node { id } }', {}],
    ['a list multiplies its children by first', '{ nodes(first: 7) { id child { id } } }', {}],
    ['the default first', '{ nodes { id } }', {}],
    ['first from a variable', 'query($n: Int) { nodes(first: $n) { id } }', { n: 50 }],
    ['a variable not sent takes the argument default', 'query($n: Int) { nodes(first: $n) { id } }', {}],
    ['a variable default', 'query($n: Int = 3) { nodes(first: $n) { id } }', {}],
    ['clamped to the page size', '{ nodes(first: 5000) { id } }', {}],
    ['nested lists', '{ nodes(first: 10) { items(first: 10) { id child { id } } } }', {}],
    ['fragments and inline fragments', '{ ...Q node { ... on Node { id } ...N } } fragment Q on Query { nodes(first: 2) { ...N } } fragment N on Node { id child { id } }', {}],
    ['@skip and @include', 'query($s: Boolean!) { nodes(first: 10) { id @skip(if: $s) child @include(if: false) { id } } node @skip(if: true) { id } }', { s: true }],
    ['introspection', '{ __schema { types { name fields { name } } } __typename }', {}],
  ])('%s: as graphql-query-complexity counted it', (_name, query, variables) => {
    expect(queryCost(schema, parse(query), opOf(query), variables)).toBe(reference(query, variables));
  });

  it('does not coerce variables: a first that is not an Int is left to execution to refuse', () => {
    const q = 'query($n: Int) { nodes(first: $n) { id } }';
    for (const n of ['5', 1.5, 2 ** 31, 2 ** 53 + 2, Number.MAX_VALUE, null]) expect(queryCost(schema, parse(q), opOf(q), { n })).toBe(2);
  });

  it('costs the fragment bomb by computing each fragment once', () => {
    const doc = parse(fragmentBomb(10));
    // 10^9 leaves of `a: nodes(first: 1) { id }`, each costing 1 + 1
    expect(queryCost(schema, doc, opOf(fragmentBomb(10)), {})).toBe(2e9);
  });

  it('costs only the operation asked for', () => {
    const q = 'query A { nodes(first: 100) { id } } query B { node { id } }';
    expect(queryCost(schema, parse(q), opOf(q, 'B'), {})).toBe(2);
    expect(queryCost(schema, parse(q), opOf(q, 'A'), {})).toBe(101);
  });
});
