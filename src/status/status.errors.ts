/**
 * Error codes of the status feature (extensions.code), beyond the common ones. The state machine
 * raises them (application-status.ts); they are listed here so a client finds them in one place.
 * - INVALID_TRANSITION: the event cannot happen from the current status (e.g. ENROLLED while OFFERED).
 * - OFFER_RESPONSE_DEADLINE_PASSED: accepting or declining after the response date (回答期限).
 * - OFFER_RESPONSE_DEADLINE_NOT_PASSED, VALIDITY_NOT_ENDED, VALIDITY_ENDED: scheduler guards.
 * Out-of-order or reused municipality events are the common CONFLICT; a municipality deciding an
 * application it only received as a forwarded notice is FORBIDDEN.
 */
export { StatusErrorCode } from './application-status';

/** Event types of the partner webhooks this feature sends. */
export const STATUS_CHANGED_EVENT = 'jp.hokatsu.application.status_changed';
export const REMINDER_EVENT_PREFIX = 'jp.hokatsu.reminder.';
