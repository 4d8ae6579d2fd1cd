import type { ApolloServerPlugin } from '@apollo/server';
import {
  ASTNode,
  ASTVisitor,
  DocumentNode,
  getNamedType,
  GraphQLError,
  GraphQLID,
  GraphQLInputType,
  GraphQLSchema,
  isInputObjectType,
  isListType,
  isNonNullType,
  isScalarType,
  Kind,
  typeFromAST,
  ValidationContext,
  visit,
} from 'graphql';
import { asRequestError, Errors, HubError } from './errors';

/**
 * The checks every value a caller sends passes at the GraphQL boundary, whatever field it is for and
 * wherever it comes from (a literal in the document, a variable, a nested input field, a list
 * element), before any resolver runs, on both execution paths:
 * - every `ID` is well formed (today: a UUID, what every table keys on), so a malformed one is
 *   BAD_USER_INPUT naming the field instead of PostgreSQL's "invalid input syntax for type uuid";
 * - every string can be stored: no NUL (PostgreSQL text cannot hold U+0000) and no unpaired
 *   surrogate (it cannot be encoded in UTF-8; the driver would silently store U+FFFD instead).
 * What a particular field accepts beyond that (names, kana, phone numbers) is its DTO's business.
 */

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Whether a value sent for an `ID` is one the hub can have issued. The one place ids are checked. */
export function isWellFormedId(value: unknown): boolean {
  return typeof value === 'string' && UUID.test(value);
}

/** NUL, or a surrogate that is not half of a pair (with the u flag a pair is one code point outside the range). */
const UNSTORABLE = /[\u0000\uD800-\uDFFF]/u;

export function isStorableText(value: string): boolean {
  return !UNSTORABLE.test(value);
}

function badId(field: string, value: unknown): HubError {
  const shown = JSON.stringify(value)?.slice(0, 60);
  return Errors.badInput(
    field,
    `"${field}" must be an ID the hub issued (a UUID such as 0b7e4f2c-5d1a-4c3e-9f6b-2a8d7c1e0f35); ${shown} is not one.`,
    `「${field}」にはハブが発行した ID（0b7e4f2c-5d1a-4c3e-9f6b-2a8d7c1e0f35 のような UUID）を指定してください。${shown} は ID ではありません。`,
  );
}

function badText(field: string): HubError {
  return Errors.badInput(
    field,
    `"${field}" contains a character that cannot be stored (U+0000 NUL or an unpaired surrogate). Remove it and send the text again.`,
    `「${field}」に保存できない文字（U+0000 NUL または対になっていないサロゲート）が含まれています。取り除いて送り直してください。`,
  );
}

/** The problem with one leaf value of a scalar type, if any. */
function leafProblem(field: string, typeName: string, value: unknown): HubError | undefined {
  if (typeName === GraphQLID.name && (typeof value === 'string' || typeof value === 'number') && !isWellFormedId(value)) return badId(field, value);
  if (typeof value === 'string' && !isStorableText(value)) return badText(field);
  return undefined;
}

/**
 * The path of a literal as the API names fields: `input.wishes[1].facilityId`, from the argument
 * down (or `$name…` for a variable's default value).
 */
function literalPath(ancestors: ReadonlyArray<ASTNode | ReadonlyArray<ASTNode>>, keys: ReadonlyArray<string | number>, node: ASTNode): string {
  let out = '';
  const chain = [...ancestors.filter((a): a is ASTNode => !!a && !Array.isArray(a) && typeof (a as ASTNode).kind === 'string'), node];
  const listIndexes = keys.flatMap((k, i) => (k === 'values' && typeof keys[i + 1] === 'number' ? [keys[i + 1] as number] : []));
  let li = 0;
  for (const n of chain) {
    if (n.kind === Kind.ARGUMENT) out = n.name.value;
    else if (n.kind === Kind.VARIABLE_DEFINITION) out = `$${n.variable.name.value}`;
    else if (n.kind === Kind.OBJECT_FIELD) out += `.${n.name.value}`;
    else if (n.kind === Kind.LIST && li < listIndexes.length && n !== node) out += `[${listIndexes[li++]}]`;
  }
  return out;
}

/**
 * Literals in the document (validation rule: checked once per document, as Apollo keeps validated
 * documents). Reported as BAD_USER_INPUT naming the argument path.
 */
export function inputLiteralRule(context: ValidationContext): ASTVisitor {
  const check = (node: ASTNode, value: string, parent: unknown, keys: ReadonlyArray<string | number>, ancestors: ReadonlyArray<ASTNode | ReadonlyArray<ASTNode>>) => {
    const type = context.getInputType();
    const named = type ? getNamedType(type) : undefined;
    if (!named || !isScalarType(named) || !leafProblem('', named.name, value)) return;
    // graphql-js passes the parent apart from the ancestors above it.
    const problem = leafProblem(literalPath([...ancestors, parent as ASTNode], keys, node) || 'input', named.name, value)!;
    context.reportError(new GraphQLError(problem.message, { nodes: node, originalError: problem }));
  };
  return {
    StringValue(node, _key, parent, path, ancestors) {
      check(node, node.value, parent, path, ancestors);
    },
    IntValue(node, _key, parent, path, ancestors) {
      check(node, node.value, parent, path, ancestors);
    },
  };
}

/** Problems in a variable's value as sent (JSON), walked along its declared type; the first one found. */
export function variableProblem(type: GraphQLInputType, value: unknown, path: string, depth = 0): HubError | undefined {
  if (value === null || value === undefined || depth > 64) return undefined;
  if (isNonNullType(type)) return variableProblem(type.ofType, value, path, depth);
  if (isListType(type)) {
    // A single value where a list is expected is coerced to a list of one.
    if (!Array.isArray(value)) return variableProblem(type.ofType, value, path, depth + 1);
    for (let i = 0; i < value.length; i++) {
      const p = variableProblem(type.ofType, value[i], `${path}[${i}]`, depth + 1);
      if (p) return p;
    }
    return undefined;
  }
  if (isInputObjectType(type)) {
    if (typeof value !== 'object' || Array.isArray(value)) return undefined; // graphql-js refuses it with its own message
    const fields = type.getFields();
    for (const [name, v] of Object.entries(value as Record<string, unknown>)) {
      const field = fields[name];
      if (!field) continue; // an unknown field: graphql-js refuses it
      const p = variableProblem(field.type, v, `${path}.${name}`, depth + 1);
      if (p) return p;
    }
    return undefined;
  }
  if (isScalarType(type)) return leafProblem(path, type.name, value);
  return undefined;
}

/**
 * Where each variable is used, as the API names it: `$i` in `createApiClient(input: $i)` is `input`,
 * `$n` in `(input: { name: $n })` is `input.name`; the first use when there are several.
 */
export function variableUses(document: DocumentNode): Map<string, string> {
  const uses = new Map<string, string>();
  visit(document, {
    Variable(node, _key, parent, path, ancestors) {
      const name = node.name.value;
      if ((parent as ASTNode | undefined)?.kind === Kind.VARIABLE_DEFINITION || uses.has(name)) return;
      const at = literalPath([...ancestors, parent as ASTNode], path, node);
      if (at) uses.set(name, at);
    },
  });
  return uses;
}

/**
 * Variables, per request, before execution (on both execution paths). Refused with HTTP 400 and
 * BAD_USER_INPUT naming the path where the variable is used (`input.child.name`).
 */
export function inputVariablesPlugin(getSchema: () => GraphQLSchema): ApolloServerPlugin {
  const usesOf = new WeakMap<DocumentNode, Map<string, string>>();
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ operation, request, document }) {
          const variables = request.variables;
          if (!operation || !variables || !operation.variableDefinitions?.length) return;
          const schema = getSchema();
          for (const def of operation.variableDefinitions) {
            const name = def.variable.name.value;
            if (!Object.prototype.hasOwnProperty.call(variables, name)) continue;
            const type = typeFromAST(schema, def.type) as GraphQLInputType | undefined;
            if (!type) continue;
            let uses = usesOf.get(document);
            if (!uses) usesOf.set(document, (uses = variableUses(document)));
            const problem = variableProblem(type, variables[name], uses.get(name) ?? name);
            if (problem) throw asRequestError(problem);
          }
        },
      };
    },
  };
}
