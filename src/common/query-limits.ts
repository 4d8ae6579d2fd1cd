import type { ApolloServerPlugin } from '@apollo/server';
import { ASTNode, ASTVisitor, DocumentNode, FieldNode, FragmentDefinitionNode, GraphQLError, GraphQLSchema, Kind, SelectionSetNode, ValidationContext, visit } from 'graphql';
import { fieldExtensionsEstimator, getComplexity, simpleEstimator } from 'graphql-query-complexity';
import { hubError } from './errors';
import { MAX_PAGE_SIZE } from './pagination';

export const QUERY_LIMITS = { maxDepth: 10, maxAliases: 30, maxComplexity: 2500 } as const;

function tooComplex(message: string, messageJa: string, details: Record<string, unknown>) {
  return hubError('QUERY_TOO_COMPLEX', message, messageJa, { details });
}

function depthOf(selectionSet: SelectionSetNode | undefined, fragments: Record<string, FragmentDefinitionNode>, seen: Set<string>): number {
  if (!selectionSet) return 0;
  let max = 0;
  for (const sel of selectionSet.selections) {
    if (sel.kind === Kind.FIELD) {
      if (sel.name.value.startsWith('__')) continue;
      max = Math.max(max, sel.selectionSet ? 1 + depthOf(sel.selectionSet, fragments, seen) : 1);
    } else if (sel.kind === Kind.INLINE_FRAGMENT) {
      max = Math.max(max, depthOf(sel.selectionSet, fragments, seen));
    } else if (sel.kind === Kind.FRAGMENT_SPREAD && !seen.has(sel.name.value)) {
      const frag = fragments[sel.name.value];
      if (frag) max = Math.max(max, depthOf(frag.selectionSet, fragments, new Set([...seen, sel.name.value])));
    }
  }
  return max;
}

const asGraphqlError = (e: Error) => new GraphQLError(e.message, { originalError: e });

/** Validation rules: maximum depth and maximum aliases per document. */
export function queryShapeRule(context: ValidationContext): ASTVisitor {
  const doc = context.getDocument();
  const fragments: Record<string, FragmentDefinitionNode> = {};
  for (const d of doc.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments[d.name.value] = d;
  let aliases = 0;
  return {
    Field(node: FieldNode) {
      if (node.alias) aliases++;
    },
    OperationDefinition: {
      enter(op) {
        const depth = depthOf(op.selectionSet, fragments, new Set());
        if (depth > QUERY_LIMITS.maxDepth)
          context.reportError(asGraphqlError(tooComplex(`The query is ${depth} levels deep; the limit is ${QUERY_LIMITS.maxDepth}.`, `クエリの深さが ${depth} です。上限は ${QUERY_LIMITS.maxDepth} です。`, { depth, limit: QUERY_LIMITS.maxDepth }))) ;
      },
    },
    Document: {
      leave() {
        if (aliases > QUERY_LIMITS.maxAliases)
          context.reportError(asGraphqlError(tooComplex(`The query uses ${aliases} aliases; the limit is ${QUERY_LIMITS.maxAliases}.`, `クエリの別名が ${aliases} 個あります。上限は ${QUERY_LIMITS.maxAliases} 個です。`, { aliases, limit: QUERY_LIMITS.maxAliases })));
      },
    },
  };
}

/**
 * The variables that can change a document's cost: those used in a `first` argument (the only
 * argument the estimators read; no field declares its own complexity) or in @skip/@include.
 */
function costVariables(document: DocumentNode): string[] {
  const names = new Set<string>();
  const collect = (node: ASTNode) =>
    visit(node, {
      Variable(v) {
        names.add(v.name.value);
      },
    });
  visit(document, {
    Argument(arg) {
      if (arg.name.value === 'first') collect(arg.value);
    },
    Directive(d) {
      if (d.name.value === 'skip' || d.name.value === 'include') collect(d);
    },
  });
  return [...names].sort();
}

/**
 * Cost: every field costs 1, and a list field multiplies its children by its `first` argument
 * (default 20). Computed once the operation is known, before anything runs.
 *
 * For speed (it was a visible share of each vacancySearch request under load, BENCHMARKS.md) the cost
 * is remembered per document, operation and values of the variables that can change it (costVariables),
 * so a client sending the same query with other filters pays for the analysis once. The cache is
 * bounded; it is emptied when full.
 */
export function complexityPlugin(getSchema: () => GraphQLSchema): ApolloServerPlugin {
  const MAX_CACHED = 2000;
  const varsOf = new Map<string, string[]>();
  const costs = new Map<string, number>();
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ request, document, queryHash }) {
          const schema = getSchema();
          let key: string | undefined;
          if (queryHash) {
            let vars = varsOf.get(queryHash);
            if (!vars) {
              if (varsOf.size >= MAX_CACHED) varsOf.clear();
              varsOf.set(queryHash, (vars = costVariables(document)));
            }
            key = `${queryHash}\u0000${request.operationName ?? ''}\u0000${JSON.stringify(vars.map((v) => request.variables?.[v] ?? null))}`;
          }
          let complexity = key === undefined ? undefined : costs.get(key);
          if (complexity === undefined) {
            complexity = getComplexity({
              schema,
              operationName: request.operationName,
              query: document,
              variables: request.variables,
              estimators: [
                fieldExtensionsEstimator(),
                ({ args, childComplexity }) => {
                  // Out-of-range page sizes are refused by validation with a clearer message; cost them at the cap.
                  const first = typeof args.first === 'number' ? Math.min(Math.max(args.first, 1), MAX_PAGE_SIZE) : undefined;
                  return first !== undefined ? 1 + childComplexity * first : undefined;
                },
                simpleEstimator({ defaultComplexity: 1 }),
              ],
            });
            if (key !== undefined) {
              if (costs.size >= MAX_CACHED) costs.clear();
              costs.set(key, complexity);
            }
          }
          if (complexity > QUERY_LIMITS.maxComplexity)
            throw tooComplex(
              `The query costs ${complexity}; the limit is ${QUERY_LIMITS.maxComplexity}. Ask for fewer items per page or fewer fields.`,
              `クエリのコストが ${complexity} です。上限は ${QUERY_LIMITS.maxComplexity} です。1ページの件数か項目を減らしてください。`,
              { complexity, limit: QUERY_LIMITS.maxComplexity },
            );
        },
      };
    },
  };
}
