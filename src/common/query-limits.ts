import type { ApolloServerPlugin } from '@apollo/server';
import { maxAliasesRule } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthRule } from '@escape.tech/graphql-armor-max-depth';
import { maxDirectivesRule } from '@escape.tech/graphql-armor-max-directives';
import {
  ASTNode,
  ASTVisitor,
  DocumentNode,
  FieldNode,
  FragmentDefinitionNode,
  GraphQLError,
  GraphQLSchema,
  Kind,
  OperationDefinitionNode,
  ParseOptions,
  SelectionSetNode,
  ValidationContext,
  ValueNode,
  visit,
} from 'graphql';
import { asRequestError, hubError, HubError } from './errors';
import { MAX_PAGE_SIZE } from './pagination';

/**
 * What one GraphQL document may ask for. Every check below runs in time linear in the document, so a
 * document is answered or refused before it can hold the event loop (BENCHMARKS.md, "Query limits").
 *
 * - source, tokens, comments: graphql-js's own parser limits (the parser stops at the limit);
 * - fragments, fields after expanding fragments, repeats of one field at one place: `documentShapeRule`,
 *   checked before graphql-js's own validation, whose rule for overlapping fields compares every pair of
 *   same-named fields and is quadratic in them;
 * - depth, aliases, directives: graphql-armor's rules (each fragment counted once, not per spread);
 * - cost: `costPlugin`, once the variables are known.
 */
export const QUERY_LIMITS = {
  maxSourceLength: 100_000,
  maxTokens: 5_000,
  maxComments: 1_000,
  maxFragments: 50,
  /** Field selections after expanding fragments (each fragment once per place it is spread, as execution does). */
  maxExpandedFields: 5_000,
  /** How often one response name may be selected at one place (after expanding fragments). */
  maxRepeatsOfField: 20,
  maxDepth: 10,
  maxAliases: 30,
  maxDirectives: 50,
  maxComplexity: 2500,
} as const;

export const QUERY_PARSE_OPTIONS: ParseOptions = {
  maxSourceLength: QUERY_LIMITS.maxSourceLength,
  maxLexicalTokens: QUERY_LIMITS.maxTokens,
  maxComments: QUERY_LIMITS.maxComments,
};

export function tooComplex(message: string, messageJa: string, details: Record<string, unknown>): HubError {
  return hubError('QUERY_TOO_COMPLEX', message, messageJa, { details });
}

const asGraphqlError = (e: HubError) => new GraphQLError(e.message, { originalError: e });

/**
 * The parser's own refusals (limits on source, tokens, comments, and nesting deep enough to exhaust the
 * stack) as QUERY_TOO_COMPLEX; undefined for an ordinary syntax error.
 */
export function parserLimitError(message: string): HubError | undefined {
  if (/Source contains more than \d+/.test(message))
    return tooComplex(`The query is longer than ${QUERY_LIMITS.maxSourceLength} characters.`, `クエリが ${QUERY_LIMITS.maxSourceLength} 文字を超えています。`, { limit: QUERY_LIMITS.maxSourceLength, measure: 'characters' });
  if (/Document contains more th(?:an|at) \d+ (?:lexical )?tokens/.test(message))
    return tooComplex(`The query has more than ${QUERY_LIMITS.maxTokens} tokens.`, `クエリのトークン数が ${QUERY_LIMITS.maxTokens} を超えています。`, { limit: QUERY_LIMITS.maxTokens, measure: 'tokens' });
  if (/Document contains more th(?:an|at) \d+ comments/.test(message))
    return tooComplex(`The query has more than ${QUERY_LIMITS.maxComments} comments.`, `クエリのコメントが ${QUERY_LIMITS.maxComments} 個を超えています。`, { limit: QUERY_LIMITS.maxComments, measure: 'comments' });
  if (/Maximum call stack size exceeded/.test(message))
    return tooComplex('The query is nested too deeply to read.', 'クエリの入れ子が深すぎて解析できません。', { measure: 'nesting' });
  return undefined;
}

/**
 * Fragments, fields after expanding fragments, and repeats of one field at one place, for every
 * operation and fragment of the document. Walks the selections as execution collects them (one
 * expansion of a fragment per place, the same response names merged), with an explicit stack and a
 * budget: the walk stops at the first limit passed, so it costs at most maxExpandedFields steps
 * whatever the document. Undefined when the document is within the limits.
 */
export function documentShapeProblem(document: DocumentNode): HubError | undefined {
  const fragments = new Map<string, FragmentDefinitionNode>();
  const roots: SelectionSetNode[] = [];
  for (const d of document.definitions) {
    if (d.kind === Kind.FRAGMENT_DEFINITION) {
      fragments.set(d.name.value, d);
      roots.push(d.selectionSet);
    } else if (d.kind === Kind.OPERATION_DEFINITION) roots.push(d.selectionSet);
  }
  if (fragments.size > QUERY_LIMITS.maxFragments)
    return tooComplex(`The query defines ${fragments.size} fragments; the limit is ${QUERY_LIMITS.maxFragments}.`, `クエリのフラグメントが ${fragments.size} 個あります。上限は ${QUERY_LIMITS.maxFragments} 個です。`, { fragments: fragments.size, limit: QUERY_LIMITS.maxFragments });
  let budget = QUERY_LIMITS.maxExpandedFields;
  const overBudget = () =>
    tooComplex(
      `The query selects more than ${QUERY_LIMITS.maxExpandedFields} fields once its fragments are expanded.`,
      `フラグメントを展開するとクエリの項目数が ${QUERY_LIMITS.maxExpandedFields} を超えます。`,
      { limit: QUERY_LIMITS.maxExpandedFields, measure: 'expandedFields' },
    );
  // Each entry: the selection sets merged at one place (same response name under the same parent), and
  // the fragments expanded on the way there (a fragment inside its own expansion is a cycle, which
  // graphql-js's NoFragmentCyclesRule reports; it is not expanded again).
  const pending: Array<{ sets: SelectionSetNode[]; outer: ReadonlySet<string> }> = roots.map((r) => ({ sets: [r], outer: new Set<string>() }));
  while (pending.length) {
    const { sets, outer } = pending.pop()!;
    const byName = new Map<string, FieldNode[]>();
    const expanded = new Set<string>(outer);
    const todo = [...sets];
    while (todo.length) {
      const set = todo.pop()!;
      for (const sel of set.selections) {
        if (--budget < 0) return overBudget();
        if (sel.kind === Kind.FIELD) {
          const name = sel.alias?.value ?? sel.name.value;
          const same = byName.get(name);
          if (same) same.push(sel);
          else byName.set(name, [sel]);
        } else if (sel.kind === Kind.INLINE_FRAGMENT) todo.push(sel.selectionSet);
        else if (!expanded.has(sel.name.value)) {
          expanded.add(sel.name.value);
          const fragment = fragments.get(sel.name.value);
          if (fragment) todo.push(fragment.selectionSet);
        }
      }
    }
    for (const [name, fields] of byName) {
      if (fields.length > QUERY_LIMITS.maxRepeatsOfField)
        return tooComplex(
          `The query selects "${name}" ${fields.length} times at one place; the limit is ${QUERY_LIMITS.maxRepeatsOfField}.`,
          `クエリが「${name}」を同じ場所で ${fields.length} 回選択しています。上限は ${QUERY_LIMITS.maxRepeatsOfField} 回です。`,
          { field: name, repeats: fields.length, limit: QUERY_LIMITS.maxRepeatsOfField },
        );
      const children = fields.flatMap((f) => (f.selectionSet ? [f.selectionSet] : []));
      if (children.length) pending.push({ sets: children, outer: expanded });
    }
  }
  return undefined;
}

/**
 * Checks the document on entering its root node, before graphql-js's own rules visit a single
 * selection. A document outside the shape limits is reported and its traversal ends there: returning
 * null from `enter` removes the node from the visit (graphql-js's visitor contract), so no rule visits
 * what is inside it. Apollo answers the one error with HTTP 400.
 */
export function documentShapeRule(context: ValidationContext): ASTVisitor {
  return {
    Document(node) {
      const problem = documentShapeProblem(node);
      if (!problem) return undefined;
      context.reportError(asGraphqlError(problem));
      return null;
    },
  };
}

/** `subscription` is valid GraphQL, but this hub has none (webhooks deliver events). */
export function operationTypeRule(context: ValidationContext): ASTVisitor {
  return {
    OperationDefinition(node) {
      const schema = context.getSchema();
      const root = node.operation === 'query' ? schema.getQueryType() : node.operation === 'mutation' ? schema.getMutationType() : schema.getSubscriptionType();
      if (!root)
        context.reportError(
          new GraphQLError(`This API has no ${node.operation} operations; events are delivered by webhook (see the README).`, {
            nodes: node,
            extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
          }),
        );
    },
  };
}

/** graphql-armor reports "… limit of N exceeded, found M."; the HubError keeps both numbers. */
function armorRule(
  make: (options: { n: number; onReject: Array<(ctx: ValidationContext | null, error: GraphQLError) => void>; propagateOnRejection: boolean }) => (context: ValidationContext) => ASTVisitor,
  limit: number,
  describe: (found: number) => HubError,
) {
  return make({
    n: limit,
    propagateOnRejection: false,
    onReject: [
      (ctx, error) => {
        const found = Number(/found (\d+)/.exec(error.message)?.[1] ?? limit + 1);
        ctx?.reportError(asGraphqlError(describe(found)));
      },
    ],
  });
}

export const queryShapeRules = [
  documentShapeRule,
  operationTypeRule,
  armorRule(
    (o) => maxDepthRule({ ...o, flattenFragments: true, ignoreIntrospection: true }) as never,
    QUERY_LIMITS.maxDepth,
    (depth) => tooComplex(`The query is ${depth} levels deep; the limit is ${QUERY_LIMITS.maxDepth}.`, `クエリの深さが ${depth} です。上限は ${QUERY_LIMITS.maxDepth} です。`, { depth, limit: QUERY_LIMITS.maxDepth }),
  ),
  armorRule(
    (o) => maxAliasesRule(o) as never,
    QUERY_LIMITS.maxAliases,
    (aliases) => tooComplex(`The query uses ${aliases} aliases; the limit is ${QUERY_LIMITS.maxAliases}.`, `クエリの別名が ${aliases} 個あります。上限は ${QUERY_LIMITS.maxAliases} 個です。`, { aliases, limit: QUERY_LIMITS.maxAliases }),
  ),
  armorRule(
    (o) => maxDirectivesRule(o) as never,
    QUERY_LIMITS.maxDirectives,
    (directives) => tooComplex(`The query uses ${directives} directives; the limit is ${QUERY_LIMITS.maxDirectives}.`, `クエリのディレクティブが ${directives} 個あります。上限は ${QUERY_LIMITS.maxDirectives} 個です。`, { directives, limit: QUERY_LIMITS.maxDirectives }),
  ),
];

type Variables = Record<string, unknown> | undefined;

/** A variable the request did not send and whose definition has no default: the argument's default applies. */
const NOT_SENT = Symbol('not sent');

function literalOrVariable(value: ValueNode, variables: Variables, defaults: Map<string, ValueNode>): unknown {
  if (value.kind === Kind.VARIABLE) {
    const name = value.name.value;
    if (variables && Object.prototype.hasOwnProperty.call(variables, name)) return variables[name];
    const fallback = defaults.get(name);
    return fallback ? literalOrVariable(fallback, undefined, new Map()) : NOT_SENT;
  }
  if (value.kind === Kind.INT) return Number(value.value);
  if (value.kind === Kind.BOOLEAN) return value.value;
  if (value.kind === Kind.NULL) return null;
  return Symbol.for('other');
}

/**
 * Cost: every field costs 1, and a field with a `first` argument multiplies its children by it
 * (clamped to 1–MAX_PAGE_SIZE; the argument's default when not given). Fields under @skip(if: true) or
 * @include(if: false) cost nothing. Each fragment spread costs what its fragment costs, and a fragment's
 * cost is computed once (memoised per fragment, not per spread), so ten levels of ten spreads cost ten
 * fragment computations, not ten billion. The schema has no interfaces or unions, so a fragment costs
 * the same wherever it is spread. Recursion follows the document's nesting, which the validation rules
 * above have bounded (depth, fragments); a fragment cycle (refused by validation) counts as 0.
 */
export function queryCost(schema: GraphQLSchema, document: DocumentNode, operation: OperationDefinitionNode, variables: Variables): number {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
  const defaults = new Map<string, ValueNode>();
  for (const v of operation.variableDefinitions ?? []) if (v.defaultValue) defaults.set(v.variable.name.value, v.defaultValue);
  const fragmentCost = new Map<string, number>();
  const value = (node: ValueNode) => literalOrVariable(node, variables, defaults);

  const skipped = (node: { directives?: readonly { name: { value: string }; arguments?: readonly { name: { value: string }; value: ValueNode }[] }[] }) => {
    for (const d of node.directives ?? []) {
      const cond = d.arguments?.find((a) => a.name.value === 'if');
      if (!cond) continue;
      const v = value(cond.value);
      if (d.name.value === 'skip' && v === true) return true;
      if (d.name.value === 'include' && v === false) return true;
    }
    return false;
  };

  const firstOf = (field: FieldNode, parentType: string): number | undefined => {
    const arg = field.arguments?.find((a) => a.name.value === 'first');
    let first: unknown = arg ? value(arg.value) : NOT_SENT;
    if (first === NOT_SENT) {
      const type = schema.getType(parentType);
      const def = type && 'getFields' in type ? (type.getFields() as Record<string, { args?: readonly { name: string; defaultValue?: unknown }[] }>)[field.name.value] : undefined;
      first = def?.args?.find((a) => a.name === 'first')?.defaultValue;
    }
    // What GraphQL's Int accepts (32 bits); anything else is refused when the variables are coerced.
    return typeof first === 'number' && Number.isInteger(first) && Math.abs(first) <= 2147483647 ? Math.min(Math.max(first, 1), MAX_PAGE_SIZE) : undefined;
  };

  const typeOfField = (parentType: string, name: string): string | undefined => {
    const type = schema.getType(parentType);
    if (!type || !('getFields' in type)) return undefined;
    const field = (type.getFields() as Record<string, { type: unknown }>)[name];
    let t = field?.type as { ofType?: unknown; name?: string } | undefined;
    while (t && t.ofType) t = t.ofType as typeof t;
    return t?.name;
  };

  const selectionCost = (set: SelectionSetNode, parentType: string): number => {
    let total = 0;
    for (const sel of set.selections) {
      if (skipped(sel)) continue;
      if (sel.kind === Kind.FIELD) {
        if (!sel.selectionSet) {
          total += 1;
          continue;
        }
        const childType = sel.name.value === '__schema' ? '__Schema' : sel.name.value === '__type' ? '__Type' : typeOfField(parentType, sel.name.value);
        const children = childType ? selectionCost(sel.selectionSet, childType) : 0;
        const first = firstOf(sel, parentType);
        total += 1 + children * (first ?? 1);
      } else if (sel.kind === Kind.INLINE_FRAGMENT) {
        total += selectionCost(sel.selectionSet, sel.typeCondition?.name.value ?? parentType);
      } else {
        const name = sel.name.value;
        let cost = fragmentCost.get(name);
        if (cost === undefined) {
          const fragment = fragments.get(name);
          fragmentCost.set(name, 0); // a cycle (refused by validation) must not recurse forever
          cost = fragment ? selectionCost(fragment.selectionSet, fragment.typeCondition.name.value) : 0;
          fragmentCost.set(name, cost);
        }
        total += cost;
      }
    }
    return total;
  };

  const root = operation.operation === 'query' ? schema.getQueryType() : operation.operation === 'mutation' ? schema.getMutationType() : schema.getSubscriptionType();
  return root ? selectionCost(operation.selectionSet, root.name) : 0;
}

/**
 * The variables that can change a document's cost: those used in a `first` argument or in
 * @skip/@include.
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
 * Refuses an operation whose cost (queryCost) passes QUERY_LIMITS.maxComplexity, before anything runs.
 * Variables are read as sent, without coercing them: one that does not coerce is refused by execution
 * with BAD_USER_INPUT, the same on either execution path.
 *
 * For speed (it was a visible share of each vacancySearch request under load, BENCHMARKS.md) the cost
 * is remembered per document, operation and values of the variables that can change it, so a client
 * sending the same query with other filters pays for the analysis once. The cache is bounded; it is
 * emptied when full.
 */
export function costPlugin(getSchema: () => GraphQLSchema): ApolloServerPlugin {
  const MAX_CACHED = 2000;
  const varsOf = new Map<string, string[]>();
  const costs = new Map<string, number>();
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ request, document, operation, queryHash }) {
          // No operation (several without operationName, or an unknown name): Apollo refuses it itself.
          if (!operation) return;
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
            complexity = queryCost(getSchema(), document, operation, request.variables);
            if (key !== undefined) {
              if (costs.size >= MAX_CACHED) costs.clear();
              costs.set(key, complexity);
            }
          }
          if (complexity > QUERY_LIMITS.maxComplexity)
            throw asRequestError(
              tooComplex(
                `The query costs ${complexity}; the limit is ${QUERY_LIMITS.maxComplexity}. Ask for fewer items per page or fewer fields.`,
                `クエリのコストが ${complexity} です。上限は ${QUERY_LIMITS.maxComplexity} です。1ページの件数か項目を減らしてください。`,
                { complexity, limit: QUERY_LIMITS.maxComplexity },
              ),
            );
        },
      };
    },
  };
}
