import type { ApolloServerPlugin, GraphQLRequestContext } from '@apollo/server';
import { GraphQLError, GraphQLFormattedError } from 'graphql';
import { HubError } from './errors';
import { rootLogger } from './logger';
import type { GqlContext } from './request-context';

const JA_FOR_GRAPHQL_CODES: Record<string, string> = {
  GRAPHQL_VALIDATION_FAILED: 'クエリがスキーマに合っていません。フィールド名と型を確認してください。',
  GRAPHQL_PARSE_FAILED: 'クエリを解析できません。GraphQL の構文を確認してください。',
  BAD_USER_INPUT: '入力値が正しくありません。メッセージに示された項目を確認してください。',
  PERSISTED_QUERY_NOT_FOUND: '永続化クエリが見つかりません。',
  BAD_REQUEST: 'リクエストが正しくありません。',
};

function findHubError(error: unknown): HubError | undefined {
  let current: unknown = error;
  for (let i = 0; i < 5 && current; i++) {
    if (current instanceof HubError) return current;
    current = (current as { originalError?: unknown }).originalError;
  }
  return undefined;
}

/**
 * Every error leaves the hub in one shape: a stable extensions.code, an English message naming the
 * field, extensions.messageJa, extensions.field. Anything unexpected becomes INTERNAL with no internals.
 */
export function formatGraphqlError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
  const hub = findHubError(error);
  if (hub) {
    return {
      message: hub.message,
      locations: formatted.locations,
      path: formatted.path,
      extensions: { code: hub.code, messageJa: hub.messageJa, field: hub.field ?? null, ...(hub.details ? { details: hub.details } : {}) },
    };
  }
  const code = String(formatted.extensions?.code ?? 'INTERNAL_SERVER_ERROR');
  if (code in JA_FOR_GRAPHQL_CODES) {
    // Errors found by graphql-js itself (unknown enum value, wrong type, unknown field) already name the field.
    const field = /(?:Variable|Field|Argument) "([^"]+)"/.exec(formatted.message)?.[1] ?? null;
    return { ...formatted, extensions: { code: code === 'GRAPHQL_VALIDATION_FAILED' || code === 'GRAPHQL_PARSE_FAILED' ? code : 'BAD_USER_INPUT', messageJa: JA_FOR_GRAPHQL_CODES[code], field } };
  }
  return {
    message: 'An unexpected error occurred. Quote the requestId when you contact the hub operators.',
    locations: formatted.locations,
    path: formatted.path,
    extensions: { code: 'INTERNAL', messageJa: '予期しないエラーが発生しました。問い合わせの際は requestId をお伝えください。', unexpected: true },
  };
}

/** Adds the request id to every error, and logs unexpected ones with it (never with the input). */
export const requestIdPlugin: ApolloServerPlugin<GqlContext> = {
  async requestDidStart() {
    return {
      async didEncounterErrors(ctx: GraphQLRequestContext<GqlContext>) {
        for (const err of ctx.errors ?? []) {
          if (!findHubError(err) && !(err instanceof GraphQLError && err.extensions?.code && err.extensions.code !== 'INTERNAL_SERVER_ERROR')) {
            rootLogger.error({ requestId: ctx.contextValue.req?.id, err: (err as GraphQLError).originalError ?? err, path: (err as GraphQLError).path }, 'unexpected GraphQL error');
          }
        }
      },
      async willSendResponse(ctx) {
        const body = ctx.response.body;
        if (body.kind === 'single' && body.singleResult.errors) {
          for (const e of body.singleResult.errors as unknown as Array<{ extensions?: Record<string, unknown> }>) {
            e.extensions = { ...(e.extensions ?? {}), requestId: ctx.contextValue.req?.id };
            delete e.extensions.unexpected;
          }
        }
      },
    };
  },
};
