import type { ApolloServerPlugin } from '@apollo/server';
import { GraphQLError, GraphQLSchema, Kind, ValidationContext, ASTVisitor, FieldNode, FragmentDefinitionNode, SelectionSetNode } from 'graphql';
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
 * Cost: every field costs 1, and a list field multiplies its children by its `first` argument
 * (default 20). Computed once the operation is known, before anything runs.
 */
export function complexityPlugin(getSchema: () => GraphQLSchema): ApolloServerPlugin {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ request, document }) {
          const complexity = getComplexity({
            schema: getSchema(),
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
