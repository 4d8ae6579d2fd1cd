import { OperationDefinitionNode, parse } from 'graphql';
import { selectsIntrospection, withoutSuggestions } from '../../src/common/schema-visibility';

const asks = (query: string) => {
  const doc = parse(query);
  return selectsIntrospection(doc, doc.definitions.find((d): d is OperationDefinitionNode => d.kind === 'OperationDefinition')!);
};

describe('selectsIntrospection', () => {
  it.each<[string, boolean]>([
    ['{ __typename }', false],
    ['{ facilities { totalCount } }', false],
    ['{ __schema { queryType { name } } }', true],
    ['{ __type(name: "Query") { name } }', true],
    ['{ ... on Query { __schema { types { name } } } }', true],
    ['{ ...A } fragment A on Query { ...B } fragment B on Query { __type(name: "Facility") { name } }', true],
    ['{ ...A } fragment A on Query { ...A __typename }', false],
  ])('%s → %s', (query, expected) => expect(asks(query)).toBe(expected));
});

describe('withoutSuggestions', () => {
  it.each<[string, string]>([
    ['Cannot query field "facilitie" on type "Query". Did you mean "facilities" or "facility"?', 'Cannot query field "facilitie" on type "Query".'],
    ['Value "NOPE" does not exist in "FacilityKind" enum. Did you mean the enum value "SMALL_A"?', 'Value "NOPE" does not exist in "FacilityKind" enum.'],
    ['Unknown argument "frist" on field "Query.facilities". Did you mean "first"?', 'Unknown argument "frist" on field "Query.facilities".'],
    ['Variable "$n" got invalid value "5"; Int cannot represent non-integer value: "5"', 'Variable "$n" got invalid value "5"; Int cannot represent non-integer value: "5"'],
  ])('%s', (message, expected) => expect(withoutSuggestions(message)).toBe(expected));
});
