import { GraphQLError } from 'graphql';

/**
 * One error type for the whole hub. Every feature raises HubError with a stable code; the GraphQL
 * layer (common/graphql-errors.ts) maps it to `extensions.code`, `extensions.messageJa` and
 * `extensions.field`. Feature-specific codes live in `<feature>.errors.ts` and use `hubError`.
 */
export const CommonCode = {
  BAD_USER_INPUT: 'BAD_USER_INPUT',
  NOT_FOUND: 'NOT_FOUND',
  FORBIDDEN: 'FORBIDDEN',
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  CONFLICT: 'CONFLICT',
  RATE_LIMITED: 'RATE_LIMITED',
  QUERY_TOO_COMPLEX: 'QUERY_TOO_COMPLEX',
  /** The HTTP request itself is malformed: a body that is not JSON, a batch, a request without a query. */
  BAD_REQUEST: 'BAD_REQUEST',
  /** The HTTP body is larger than HUB_MAX_BODY_BYTES (HTTP 413). */
  PAYLOAD_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  /** The database cannot be reached or is overloaded; retry after extensions.details.retryAfterSeconds (HTTP 503, Retry-After). */
  SERVICE_UNAVAILABLE: 'SERVICE_UNAVAILABLE',
  INTERNAL: 'INTERNAL',
} as const;

/** Seconds a caller is asked to wait (Retry-After) when the database is unavailable. */
export const RETRY_AFTER_SECONDS = 5;

export class HubError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly messageJa: string,
    readonly field?: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'HubError';
  }
}

export function hubError(
  code: string,
  message: string,
  messageJa: string,
  opts: { field?: string; details?: Record<string, unknown> } = {},
): HubError {
  return new HubError(code, message, messageJa, opts.field, opts.details);
}

export const Errors = {
  badInput(field: string, message: string, messageJa: string, details?: Record<string, unknown>) {
    return new HubError(CommonCode.BAD_USER_INPUT, message, messageJa, field, details);
  },
  notFound(what: string, id: string, field?: string) {
    return new HubError(CommonCode.NOT_FOUND, `${what} ${id} was not found.`, `${what} ${id} は見つかりません。`, field, { id });
  },
  forbidden(message: string, messageJa: string, field?: string) {
    return new HubError(CommonCode.FORBIDDEN, message, messageJa, field);
  },
  unauthenticated(message = 'The API key is missing, wrong or revoked. Send a valid key as "Authorization: Bearer <key>".',
    messageJa = 'APIキーがないか、誤っているか、失効しています。「Authorization: Bearer <キー>」で有効なキーを送ってください。') {
    return new HubError(CommonCode.UNAUTHENTICATED, message, messageJa);
  },
  conflict(message: string, messageJa: string, details?: Record<string, unknown>, field?: string) {
    return new HubError(CommonCode.CONFLICT, message, messageJa, field, details);
  },
  serviceUnavailable() {
    return new HubError(
      CommonCode.SERVICE_UNAVAILABLE,
      `The hub's database is unavailable at the moment; nothing was changed. Retry after ${RETRY_AFTER_SECONDS} seconds.`,
      `ハブのデータベースに現在接続できません。何も変更していません。${RETRY_AFTER_SECONDS} 秒後に再試行してください。`,
      undefined,
      { retryAfterSeconds: RETRY_AFTER_SECONDS },
    );
  },
};

/** The HTTP status of each common code (feature codes, refusals of a valid request, are 422). */
export const HTTP_STATUS_OF_CODE: Record<string, number> = {
  BAD_USER_INPUT: 400,
  BAD_REQUEST: 400,
  QUERY_TOO_COMPLEX: 400,
  GRAPHQL_PARSE_FAILED: 400,
  GRAPHQL_VALIDATION_FAILED: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  PAYLOAD_TOO_LARGE: 413,
  RATE_LIMITED: 429,
  INTERNAL: 500,
  SERVICE_UNAVAILABLE: 503,
};

/**
 * A HubError raised by an Apollo plugin before execution (didResolveOperation): Apollo would answer it
 * with HTTP 500 unless the error names its status.
 */
export function asRequestError(error: HubError): GraphQLError {
  return new GraphQLError(error.message, { originalError: error, extensions: { http: { status: HTTP_STATUS_OF_CODE[error.code] ?? 400 } } });
}
