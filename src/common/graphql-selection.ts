import { FieldNode, FragmentDefinitionNode, GraphQLResolveInfo, Kind, SelectionSetNode } from 'graphql';

/** The fields selected directly in a selection set, fragments (named and inline) included. */
function fieldsOf(set: SelectionSetNode | undefined, fragments: Record<string, FragmentDefinitionNode>, out: FieldNode[] = []): FieldNode[] {
  for (const selection of set?.selections ?? []) {
    if (selection.kind === Kind.FIELD) out.push(selection);
    else if (selection.kind === Kind.INLINE_FRAGMENT) fieldsOf(selection.selectionSet, fragments, out);
    else if (selection.kind === Kind.FRAGMENT_SPREAD && fragments[selection.name.value]) fieldsOf(fragments[selection.name.value].selectionSet, fragments, out);
  }
  return out;
}

/**
 * The names of the fields a query selects under `path` from the current field (e.g.
 * ['edges', 'node', 'facility'] from vacancySearch), whatever the aliases and fragments; an empty
 * set when the path is not selected. Lets a resolver fetch only the columns a client asked for.
 */
export function selectedFields(info: Pick<GraphQLResolveInfo, 'fieldNodes' | 'fragments'>, path: readonly string[]): Set<string> {
  // A parsed document is cached and reused by the server, so its nodes identify the question.
  const single = info.fieldNodes.length === 1 ? info.fieldNodes[0] : undefined;
  const memoKey = path.join('.');
  const memo = single && answers.get(single)?.get(memoKey);
  if (memo) return memo;
  const found = collect(info, path);
  if (single) {
    let byPath = answers.get(single);
    if (!byPath) answers.set(single, (byPath = new Map()));
    byPath.set(memoKey, found);
  }
  return found;
}

const answers = new WeakMap<FieldNode, Map<string, Set<string>>>();

function collect(info: Pick<GraphQLResolveInfo, 'fieldNodes' | 'fragments'>, path: readonly string[]): Set<string> {
  let level: FieldNode[] = [...info.fieldNodes];
  for (const name of path) level = level.flatMap((node) => fieldsOf(node.selectionSet, info.fragments)).filter((f) => f.name.value === name);
  return new Set(level.flatMap((node) => fieldsOf(node.selectionSet, info.fragments)).map((f) => f.name.value));
}
