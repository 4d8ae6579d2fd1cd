import { buildSchema, GraphQLInputType, parse, specifiedRules, typeFromAST, validate } from 'graphql';
import { HubError } from '../../src/common/errors';
import { inputLiteralRule, isStorableText, isWellFormedId, variableProblem, variableUses } from '../../src/common/input-guard';

const schema = buildSchema(`
  input Wish { facilityId: ID!, note: String }
  input Filter { ids: [ID!], text: String, wishes: [Wish!], nested: [[ID]] }
  scalar DateTime
  type Query { one(id: ID!): Int, many(filter: Filter, at: DateTime, n: Int): Int }
`);
const ID = '0b7e4f2c-5d1a-4c3e-9f6b-2a8d7c1e0f35';

/** The BAD_USER_INPUT fields the literal rule reports for a document. */
const literalFields = (query: string) =>
  validate(schema, parse(query), [...specifiedRules, inputLiteralRule]).map((e) => {
    const hub = e.originalError as HubError | undefined;
    return hub instanceof HubError ? `${hub.code} ${hub.field}` : e.message;
  });

describe('the boundary checks', () => {
  it.each<[unknown, boolean]>([
    [ID, true],
    [ID.toUpperCase(), true],
    ['x', false],
    ['', false],
    [`${ID} `, false],
    [`${ID}\n`, false],
    ["' OR 1=1 --", false],
    [5, false],
    [null, false],
  ])('isWellFormedId(%j) → %s', (value, expected) => expect(isWellFormedId(value)).toBe(expected));

  it.each<[string, boolean]>([
    ['保活 ほかつ ﾎｶﾂ', true],
    ['emoji 👶 (a surrogate pair)', true],
    ['', true],
    ['\u202Ebidi and \u200Bzero-width are for the field policies', true],
    ['nul \u0000 inside', false],
    ['lone high \uD800', false],
    ['lone low \uDC00 x', false],
    ['reversed pair \uDC00\uD800', false],
  ])('isStorableText(%j) → %s', (value, expected) => expect(isStorableText(value)).toBe(expected));
});

describe('inputLiteralRule: literals in the document', () => {
  it.each<[string, string[]]>([
    [`{ one(id: "${ID}") }`, []],
    ['{ one(id: "x") }', ['BAD_USER_INPUT id']],
    ['{ one(id: 5) }', ['BAD_USER_INPUT id']],
    [`{ many(filter: { ids: ["${ID}", "nope"] }) }`, ['BAD_USER_INPUT filter.ids[1]']],
    [`{ many(filter: { wishes: [{ facilityId: "${ID}" }, { facilityId: "x" }] }) }`, ['BAD_USER_INPUT filter.wishes[1].facilityId']],
    [`{ many(filter: { nested: [["${ID}"], [null, "x"]] }) }`, ['BAD_USER_INPUT filter.nested[1][1]']],
    ['{ many(filter: { text: "a\\u0000b" }) }', ['BAD_USER_INPUT filter.text']],
    [`{ many(filter: { wishes: [{ facilityId: "${ID}", note: "\\u0000" }] }) }`, ['BAD_USER_INPUT filter.wishes[0].note']],
    ['{ many(at: "2026-01-01\\u0000") }', ['BAD_USER_INPUT at']],
    ['query($f: Filter = { text: "\\u0000" }) { many(filter: $f) }', ['BAD_USER_INPUT $f.text']],
  ])('%s → %j', (query, expected) => expect(literalFields(query)).toEqual(expected));
});

describe('variableProblem: variables as sent', () => {
  const typeOf = (t: string) => typeFromAST(schema, parse(`query($v: ${t}) { __typename }`).definitions[0].kind === 'OperationDefinition' ? (parse(`query($v: ${t}) { __typename }`).definitions[0] as any).variableDefinitions[0].type : undefined) as GraphQLInputType;
  it.each<[string, unknown, string | undefined]>([
    ['ID!', ID, undefined],
    ['ID!', 'x', 'id'],
    ['ID!', 12, 'id'],
    ['[ID!]', [ID, 'x'], 'id[1]'],
    ['[ID!]', 'x', 'id'],
    ['Filter', { ids: [ID], wishes: [{ facilityId: ID, note: 'ok' }, { facilityId: ID, note: 'n\u0000' }] }, 'id.wishes[1].note'],
    ['Filter', { text: '\uD800' }, 'id.text'],
    ['Filter', { unknown: '\u0000' }, undefined],
    ['Filter', 'not an object', undefined],
    ['String', '\u0000', 'id'],
    ['Int', '\u0000', 'id'],
    ['DateTime', '2026-02-30\u0000', 'id'],
  ])('%s %j → %s', (type, value, field) => {
    expect(variableProblem(typeOf(type), value, 'id')?.field).toBe(field);
  });
});

describe('variableUses: a variable is named where the API takes it', () => {
  it('maps each variable to its argument path, the first use when there are several', () => {
    const uses = variableUses(parse('query($i: ID!, $t: String, $w: ID!, $x: ID!) { one(id: $i) many(filter: { text: $t, wishes: [{ facilityId: $w }], ids: [$x] }) again: one(id: $x) }'));
    expect(Object.fromEntries(uses)).toEqual({ i: 'id', t: 'filter.text', w: 'filter.wishes[0].facilityId', x: 'filter.ids[0]' });
  });
});
