/**
 * What happens to a message after one delivery attempt (pure): the retry schedule and the response
 * classification live in webhooks/retry-schedule.ts; this combines them into the next state.
 */
import { classifyResponse, DeliveryResponse, nextAttemptAt } from '../webhooks/retry-schedule';

export type DeliveryOutcome =
  | { kind: 'DELIVERED' }
  /** 410 Gone: disable the endpoint, keep the message PENDING for when it is enabled again. */
  | { kind: 'ENDPOINT_GONE' }
  /** Not contacted: its address is not one the hub delivers to. Dead letter at once, endpoint disabled, admin alert. */
  | { kind: 'TARGET_REFUSED' }
  | { kind: 'RETRY'; at: Date }
  /** The schedule is exhausted: dead letter. */
  | { kind: 'DEAD' };

export function outcomeOfAttempt(input: {
  response: DeliveryResponse;
  /** Attempts made so far, this one included (1 after the first attempt). */
  attemptsMade: number;
  now: Date;
  retryAfter?: string | null;
  random: () => number;
}): DeliveryOutcome {
  const classification = classifyResponse(input.response);
  if (classification === 'DELIVERED') return { kind: 'DELIVERED' };
  if (classification === 'GONE') return { kind: 'ENDPOINT_GONE' };
  if (classification === 'REFUSED') return { kind: 'TARGET_REFUSED' };
  const at = nextAttemptAt({ attempt: input.attemptsMade, now: input.now, retryAfter: input.retryAfter, random: input.random });
  return at ? { kind: 'RETRY', at } : { kind: 'DEAD' };
}
