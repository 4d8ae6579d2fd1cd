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
  INTERNAL: 'INTERNAL',
} as const;

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
};
