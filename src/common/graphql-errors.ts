import type { ApolloServerPlugin, GraphQLRequestContext } from '@apollo/server';
import { GraphQLError, GraphQLFormattedError } from 'graphql';
import { isDatabaseUnavailable } from './database-errors';
import { Errors, HubError, RETRY_AFTER_SECONDS } from './errors';
import { rootLogger } from './logger';
import { parserLimitError } from './query-limits';
import type { GqlContext } from './request-context';

/**
 * The codes Apollo and graphql-js give (errors no HubError stands behind), mapped to the hub's codes,
 * with a Japanese message. Anything else is INTERNAL. Persisted-query codes stay as Apollo names them:
 * Apollo Client switches on them to send the full query.
 */
const GRAPHQL_LAYER: Record<string, { code: string; messageJa: string; field?: string }> = {
  GRAPHQL_VALIDATION_FAILED: { code: 'GRAPHQL_VALIDATION_FAILED', messageJa: 'クエリがスキーマに合っていません。フィールド名と型を確認してください。' },
  GRAPHQL_PARSE_FAILED: { code: 'GRAPHQL_PARSE_FAILED', messageJa: 'クエリを解析できません。GraphQL の構文を確認してください。' },
  BAD_USER_INPUT: { code: 'BAD_USER_INPUT', messageJa: '入力値が正しくありません。メッセージに示された項目を確認してください。' },
  OPERATION_RESOLUTION_FAILURE: {
    code: 'BAD_USER_INPUT',
    messageJa: '実行する操作を特定できません。複数の操作を送るときは operationName に文書内の操作名を指定してください。',
    field: 'operationName',
  },
  PERSISTED_QUERY_NOT_FOUND: { code: 'PERSISTED_QUERY_NOT_FOUND', messageJa: '永続化クエリが見つかりません。クエリ全文を送ってください。' },
  PERSISTED_QUERY_NOT_SUPPORTED: { code: 'PERSISTED_QUERY_NOT_SUPPORTED', messageJa: '永続化クエリには対応していません。クエリ全文を送ってください。' },
  BAD_REQUEST: { code: 'BAD_REQUEST', messageJa: 'リクエストが正しくありません。JSON の本文で query を送ってください。' },
};

/** Every code the GraphQL layer itself can answer with (besides those of HubErrors); README lists them. */
export const GRAPHQL_LAYER_CODES = [...new Set([...Object.values(GRAPHQL_LAYER).map((c) => c.code), 'INTERNAL'])];

function findHubError(error: unknown): HubError | undefined {
  let current: unknown = error;
  for (let i = 0; i < 5 && current; i++) {
    if (current instanceof HubError) return current;
    current = (current as { originalError?: unknown }).originalError;
  }
  return undefined;
}

function fromHubError(hub: HubError, formatted: GraphQLFormattedError): GraphQLFormattedError {
  return {
    message: hub.message,
    locations: formatted.locations,
    path: formatted.path,
    extensions: { code: hub.code, messageJa: hub.messageJa, field: hub.field ?? null, ...(hub.details ? { details: hub.details } : {}) },
  };
}

/**
 * Every error leaves the hub in one shape: a stable extensions.code, an English message naming the
 * field, extensions.messageJa, extensions.field. A database outage is SERVICE_UNAVAILABLE; anything
 * else unexpected becomes INTERNAL with no internals.
 */
export function formatGraphqlError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
  const hub = findHubError(error);
  if (hub) return fromHubError(hub, formatted);
  const apolloCode = String(formatted.extensions?.code ?? 'INTERNAL_SERVER_ERROR');
  if (apolloCode === 'GRAPHQL_PARSE_FAILED') {
    const limit = parserLimitError(formatted.message);
    if (limit) return fromHubError(limit, formatted);
  }
  // graphql-js stops coercing variables after 50 errors with an error Apollo does not recognise as the caller's.
  const known = GRAPHQL_LAYER[/^Too many errors processing variables/.test(formatted.message) ? 'BAD_USER_INPUT' : apolloCode];
  if (known) {
    // Errors found by graphql-js itself (unknown enum value, wrong type, unknown field) already name the field.
    const field = known.field ?? /(?:Variable|Field|Argument) "([^"]+)"/.exec(formatted.message)?.[1] ?? null;
    return { message: formatted.message, locations: formatted.locations, path: formatted.path, extensions: { code: known.code, messageJa: known.messageJa, field } };
  }
  if (isDatabaseUnavailable(error)) return fromHubError(Errors.serviceUnavailable(), formatted);
  return {
    message: 'An unexpected error occurred. Quote the requestId when you contact the hub operators.',
    locations: formatted.locations,
    path: formatted.path,
    extensions: { code: 'INTERNAL', messageJa: '予期しないエラーが発生しました。問い合わせの際は requestId をお伝えください。', unexpected: true },
  };
}

/**
 * Adds the request id to every error, and logs unexpected ones with it (never with the input). A
 * database outage answers HTTP 503 with Retry-After, whatever else the response holds.
 */
export const requestIdPlugin: ApolloServerPlugin<GqlContext> = {
  async requestDidStart() {
    return {
      async didEncounterErrors(ctx: GraphQLRequestContext<GqlContext>) {
        for (const err of ctx.errors ?? []) {
          if (findHubError(err) || (err instanceof GraphQLError && err.extensions?.code && err.extensions.code !== 'INTERNAL_SERVER_ERROR')) continue;
          const unavailable = isDatabaseUnavailable(err);
          rootLogger[unavailable ? 'warn' : 'error'](
            { requestId: ctx.contextValue.req?.id, err: (err as GraphQLError).originalError ?? err, path: (err as GraphQLError).path },
            unavailable ? 'database unavailable' : 'unexpected GraphQL error',
          );
        }
      },
      async willSendResponse(ctx) {
        const body = ctx.response.body;
        if (body.kind === 'single' && body.singleResult.errors) {
          let unavailable = false;
          for (const e of body.singleResult.errors as unknown as Array<{ extensions?: Record<string, unknown> }>) {
            e.extensions = { ...(e.extensions ?? {}), requestId: ctx.contextValue.req?.id };
            delete e.extensions.unexpected;
            if (e.extensions.code === 'SERVICE_UNAVAILABLE') unavailable = true;
          }
          if (unavailable) {
            ctx.response.http.status = 503;
            ctx.response.http.headers.set('retry-after', String(RETRY_AFTER_SECONDS));
          }
        }
      },
    };
  },
};
