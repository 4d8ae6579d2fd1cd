/** Error codes of the outbox and webhook endpoints (besides the common ones in common/errors.ts). */
export const OutboxErrorCode = {
  /** The endpoint was removed; it takes no messages and cannot be enabled or rotated. */
  WEBHOOK_ENDPOINT_REMOVED: 'WEBHOOK_ENDPOINT_REMOVED',
  /** Only dead letters can be replayed. */
  DEAD_LETTER_NOT_DEAD: 'DEAD_LETTER_NOT_DEAD',
} as const;
