/**
 * Pure rules of the outbox: which messages an endpoint subscribes to, and what an enqueued message
 * must look like. No Nest, no database.
 */
import { Errors } from '../common/errors';
import type { OutboxMessageInput } from './outbox.contract';

/** CloudEvents types are reverse-DNS-ish: letters, digits, '.', '-', '_' (the same CHECK as the table). */
const EVENT_TYPE_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
const MAX_TYPE_LENGTH = 200;
const MAX_KEY_LENGTH = 200;
const MAX_SUBJECT_LENGTH = 500;

/** An endpoint subscribes to a type when it lists no topics (everything) or one topic is a prefix of the type. */
export function subscribesTo(topics: readonly string[], type: string): boolean {
  return topics.length === 0 || topics.some((topic) => type.startsWith(topic));
}

/**
 * Checks a message before it is enqueued. These are programming errors of the calling feature, but
 * they are reported like bad input so that the caller's transaction rolls back with a clear message.
 */
export function assertValidMessage(message: OutboxMessageInput, field = 'message'): void {
  if (typeof message.type !== 'string' || !EVENT_TYPE_PATTERN.test(message.type) || message.type.length > MAX_TYPE_LENGTH) {
    throw Errors.badInput(
      `${field}.type`,
      `The event type must be letters, digits, '.', '-' or '_' (up to ${MAX_TYPE_LENGTH} characters), e.g. 'jp.hokatsu.vacancy.opened'; got ${JSON.stringify(message.type)}.`,
      `イベント種別は英数字・'.'・'-'・'_'（${MAX_TYPE_LENGTH}文字以内、例: 'jp.hokatsu.vacancy.opened'）で指定してください（指定値: ${JSON.stringify(message.type)}）。`,
    );
  }
  if (typeof message.orderingKey !== 'string' || message.orderingKey.length < 1 || message.orderingKey.length > MAX_KEY_LENGTH) {
    throw Errors.badInput(
      `${field}.orderingKey`,
      `The ordering key must be 1 to ${MAX_KEY_LENGTH} characters, e.g. the application id.`,
      `順序キーは1〜${MAX_KEY_LENGTH}文字で指定してください（例: 申込ID）。`,
    );
  }
  if (typeof message.subject !== 'string' || message.subject.length > MAX_SUBJECT_LENGTH) {
    throw Errors.badInput(`${field}.subject`, `The subject must be a string of at most ${MAX_SUBJECT_LENGTH} characters.`, `subject は${MAX_SUBJECT_LENGTH}文字以内の文字列で指定してください。`);
  }
  if (message.data === null || typeof message.data !== 'object' || Array.isArray(message.data)) {
    throw Errors.badInput(`${field}.data`, 'The event data must be a JSON object.', 'イベントデータは JSON オブジェクトで指定してください。');
  }
  const dedup = message.deduplicationKey;
  if (dedup !== undefined && (typeof dedup !== 'string' || dedup.length < 1 || dedup.length > MAX_KEY_LENGTH)) {
    throw Errors.badInput(
      `${field}.deduplicationKey`,
      `The deduplication key, when given, must be 1 to ${MAX_KEY_LENGTH} characters.`,
      `重複排除キーを指定する場合は1〜${MAX_KEY_LENGTH}文字にしてください。`,
    );
  }
}
