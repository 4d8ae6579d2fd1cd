import type { GatewayExecutor, GatewayGraphQLRequestContext, GatewayInterface } from '@apollo/server-gateway-interface';
import { DocumentNode, execute, ExecutionResult, GraphQLError, GraphQLSchema } from 'graphql';
import { CompiledQuery, compileQuery, isCompiledQuery } from 'graphql-jit';

type Compiled = CompiledQuery | 'interpret';

/**
 * Executes operations with graphql-jit instead of graphql-js's interpreter: an operation is compiled
 * once into a function specialised to its selection (no per-field argument lookup, type dispatch or
 * path bookkeeping at run time) and reused for every request that sends the same text. It cut the
 * hub's CPU per vacancySearch by about a tenth (BENCHMARKS.md).
 *
 * Apollo Server 5 takes a custom executor only through its gateway interface, so this is a
 * "gateway" serving the hub's own schema: parsing, validation, plugins and error formatting stay
 * Apollo's; only the execute step changes. Compiled operations are keyed on Apollo's parsed document,
 * which its document store keeps per query text, so an evicted document takes its compiled form along.
 *
 * graphql-js still runs whenever the answer must be exactly the reference one:
 * - an operation graphql-jit cannot compile;
 * - a request whose variables do not coerce (no resolver ran yet): graphql-js produces the errors
 *   Apollo recognises as BAD_USER_INPUT with HTTP 400, naming the variable and the field.
 * Errors raised by resolvers are turned into graphql-js GraphQLErrors with the original error kept,
 * so formatGraphqlError finds the HubError behind them as before.
 */
export function jitGateway(schemaOf: () => GraphQLSchema): GatewayInterface {
  const compiled = new WeakMap<DocumentNode, Map<string | null, Compiled>>();

  const compiledFor = (schema: GraphQLSchema, document: DocumentNode, operationName: string | null): Compiled => {
    let byOperation = compiled.get(document);
    if (!byOperation) compiled.set(document, (byOperation = new Map()));
    let query = byOperation.get(operationName);
    if (!query) {
      const made = compileQuery(schema, document, operationName ?? undefined, { disablingCapturingStackErrors: true });
      byOperation.set(operationName, (query = isCompiledQuery(made) ? made : 'interpret'));
    }
    return query;
  };

  // The operation the caller asked for: Apollo's rc.operationName is null when none was resolved (an
  // unknown name), and compiling for null would run the document's only operation instead of refusing.
  const interpret = (schema: GraphQLSchema, rc: GatewayGraphQLRequestContext) =>
    execute({ schema, document: rc.document, operationName: rc.request.operationName, variableValues: rc.request.variables, contextValue: rc.context }) as Promise<ExecutionResult>;

  const executor: GatewayExecutor = async (rc) => {
    const schema = schemaOf();
    if (!rc.operation) return interpret(schema, rc);
    const query = compiledFor(schema, rc.document, rc.request.operationName ?? null);
    if (query === 'interpret') return interpret(schema, rc);
    const result = await query.query(undefined, rc.context, rc.request.variables ?? {});
    if (result.errors?.length && result.data === undefined) return interpret(schema, rc);
    return result.errors ? { ...result, errors: result.errors.map(asGraphQLError) } : result;
  };

  return {
    async load() {
      return { schema: schemaOf(), executor };
    },
    onSchemaLoadOrUpdate(callback) {
      callback({ apiSchema: schemaOf(), coreSupergraphSdl: '' });
      return () => undefined;
    },
    async stop() {},
  };
}

/** graphql-jit's own error type leaves `extensions` undefined, which Apollo's formatting does not expect. */
function asGraphQLError(error: GraphQLError): GraphQLError {
  const converted = new GraphQLError(error.message, { path: error.path, originalError: error.originalError ?? undefined, extensions: error.extensions ?? undefined });
  (converted as { locations?: GraphQLError['locations'] }).locations = error.locations;
  return converted;
}
