/** Error codes of applications (extensions.code). Routing's MUNICIPALITY_NOT_PARTICIPATING lives in routing.ts. */
export const ApplicationErrorCode = {
  /** A wished facility does not take the child's class age (クラス年齢) that month; names the facility. */
  WISH_CLASS_AGE_NOT_TAKEN: 'WISH_CLASS_AGE_NOT_TAKEN',
  /** The child will not have reached a wished facility's minimum age (e.g. 産休明け) on the entry day. */
  WISH_MINIMUM_AGE_NOT_REACHED: 'WISH_MINIMUM_AGE_NOT_REACHED',
  /** More wishes than the deciding municipality allows (希望施設数の上限). */
  TOO_MANY_WISHES: 'TOO_MANY_WISHES',
  /** The same facility is listed twice. */
  DUPLICATE_WISH: 'DUPLICATE_WISH',
  /** The child's class age for the intake month is outside 0–5 (not yet born by entry, or school age). */
  CHILD_AGE_OUT_OF_RANGE: 'CHILD_AGE_OUT_OF_RANGE',
  /** The (管外 where it applies) deadline of the intake month has passed; names the earliest open month. */
  DEADLINE_PASSED: 'DEADLINE_PASSED',
  /** The municipality has no intake that month; names the earliest open month. */
  NO_INTAKE_IN_MONTH: 'NO_INTAKE_IN_MONTH',
  /** The application window of the intake month has not opened yet. */
  APPLICATION_WINDOW_NOT_OPEN: 'APPLICATION_WINDOW_NOT_OPEN',
  /** The same child already has an active application for that intake month from this partner. */
  DUPLICATE_ACTIVE_APPLICATION: 'DUPLICATE_ACTIVE_APPLICATION',
  /** Required documents are not listed and the municipality refuses incomplete applications. */
  DOCUMENTS_MISSING: 'DOCUMENTS_MISSING',
  /** The feed cursor was not made for this municipality's feed (another's, altered) or is past its end; names no position. */
  FEED_CURSOR_UNKNOWN: 'FEED_CURSOR_UNKNOWN',
} as const;
