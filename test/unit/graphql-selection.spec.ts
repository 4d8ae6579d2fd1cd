import { FieldNode, OperationDefinitionNode, parse } from 'graphql';
import { selectedFields } from '../../src/common/graphql-selection';

function infoOf(query: string) {
  const doc = parse(query);
  const operation = doc.definitions.find((d): d is OperationDefinitionNode => d.kind === 'OperationDefinition')!;
  const fragments = Object.fromEntries(doc.definitions.flatMap((d) => (d.kind === 'FragmentDefinition' ? [[d.name.value, d]] : [])));
  return { fieldNodes: operation.selectionSet.selections as FieldNode[], fragments };
}

describe('selectedFields', () => {
  it.each([
    ['plain fields', `{ s { edges { node { facility { id name } } } } }`, ['id', 'name']],
    ['aliases give the field name', `{ s { edges { node { facility { n: name } } } } }`, ['name']],
    ['named fragments', `fragment F on Facility { kind address } { s { edges { node { facility { id ...F } } } } }`, ['id', 'kind', 'address']],
    ['inline fragments', `{ s { edges { node { facility { ... on Facility { phone } } } } } }`, ['phone']],
    ['the path selected twice', `{ s { edges { node { facility { id } } } edges { node { facility { url } } } } }`, ['id', 'url']],
    ['the path through a fragment', `fragment E on Edge { node { facility { url } } } { s { edges { ...E } } }`, ['url']],
    ['the path not selected', `{ s { pageInfo { hasNextPage } } }`, []],
  ])('%s', (_name, query, fields) => {
    expect([...selectedFields(infoOf(query), ['edges', 'node', 'facility'])].sort()).toEqual([...fields].sort());
  });
});
