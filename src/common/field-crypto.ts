/**
 * Encryption of personal fields at rest (個人情報保護法: encrypt personal fields), AES-256-GCM.
 *
 * Keys come from an environment variable holding a key ring, current key first:
 *   HUB_ENCRYPTION_KEYS="k2:<base64 of 32 bytes>,k1:<base64 of 32 bytes>"
 * New values are encrypted with the first key; every key in the ring decrypts. To rotate, put a new
 * key in front, re-encrypt (`npm run hub -- reencrypt-fields`, src/common/field-reencryption.ts), then drop the old key.
 *
 * A token is 'v2.<keyId>.<iv>.<tag>.<ciphertext>' (base64 parts): self-describing, so a row says which
 * key it needs. Every value is bound to where it is stored: the AEAD's associated data is the version,
 * the key id, and the table, column and row the value belongs to (FieldBinding). A ciphertext copied
 * to another row or column then fails authentication on read instead of showing one person's data as
 * another's. 'v1' tokens (written before the binding) authenticate only the version and key id; they
 * are still read, and `reencrypt-fields` rewrites them as bound 'v2' tokens.
 */
import { createCipheriv, createDecipheriv, randomBytes as nodeRandomBytes } from 'node:crypto';
import { HubError, hubError } from './errors';
import { rootLogger } from './logger';

/** Bound to table, column and row: what encrypt writes. */
const TOKEN_VERSION = 'v2';
/** Unbound (associated data = version and key id only): read until re-encrypted, never written. */
const LEGACY_VERSION = 'v1';
const ALGORITHM = 'aes-256-gcm';
const KEY_BYTES = 32;
/** 96-bit IV: the size GCM is designed for. */
const IV_BYTES = 12;
const TAG_BYTES = 16;
/** Key ids appear inside tokens, which are split on '.', so they are restricted to a safe alphabet. */
const KEY_ID_PATTERN = /^[A-Za-z0-9_-]{1,32}$/;
const BASE64_PATTERN = /^[A-Za-z0-9+/]+={0,2}$/;

export const FieldCryptoErrorCode = {
  /** The key ring in the environment is malformed (the process should refuse to start). */
  FIELD_KEYS_INVALID: 'FIELD_KEYS_INVALID',
  /** A token names a key that is not in the ring (dropped too early, or a different environment's data). */
  FIELD_KEY_UNKNOWN: 'FIELD_KEY_UNKNOWN',
  /**
   * A token is malformed, was altered, or belongs to another row or column (its binding does not
   * match where it was read from); never returns partial or unauthenticated plaintext.
   */
  FIELD_DECRYPTION_FAILED: 'FIELD_DECRYPTION_FAILED',
  /**
   * What a caller gets when a value it asked for cannot be read (either of the two above): never
   * wrong data, never the key ring's details; the operators find the details in the log.
   */
  DATA_INTEGRITY_ERROR: 'DATA_INTEGRITY_ERROR',
} as const;

/**
 * Where a value is stored. `row` is what identifies the row's meaning: an application's id, a
 * webhook endpoint's id, or for a feed entry the application and municipality it is for (see each
 * column in field-reencryption.ts: ENCRYPTED_COLUMNS, which must compute the same text in SQL).
 */
export interface FieldBinding {
  table: string;
  column: string;
  row: string;
}

export interface FieldKey {
  id: string;
  key: Buffer;
}

/** Keys in order of preference: the first encrypts, all decrypt. */
export interface KeyRing {
  current: FieldKey;
  all: ReadonlyMap<string, FieldKey>;
}

/**
 * Parses 'id:base64,id:base64,…'. Errors name the variable and the position but never echo key
 * material, because boot errors end up in logs.
 */
export function parseKeyRing(value: string | undefined, envName: string): KeyRing {
  const invalid = (problemEn: string, problemJa: string) =>
    hubError(
      FieldCryptoErrorCode.FIELD_KEYS_INVALID,
      `${envName} is invalid: ${problemEn} Expected "keyId:<base64 of 32 bytes>" entries separated by commas, current key first.`,
      `${envName} が不正です：${problemJa}「鍵ID:<32バイトのbase64>」をカンマ区切りで、現在の鍵を先頭に指定してください。`,
      { field: envName },
    );

  const entries = (value ?? '').split(',').map((entry) => entry.trim()).filter((entry) => entry !== '');
  if (entries.length === 0) throw invalid('it is empty.', '値が空です。');

  const all = new Map<string, FieldKey>();
  entries.forEach((entry, index) => {
    const position = index + 1;
    const separator = entry.indexOf(':');
    const id = separator < 0 ? '' : entry.slice(0, separator);
    const encoded = separator < 0 ? '' : entry.slice(separator + 1);
    if (!KEY_ID_PATTERN.test(id)) {
      throw invalid(
        `entry ${position} has no valid key id (letters, digits, '-' or '_', up to 32 characters, followed by ':').`,
        `${position} 番目の項目に有効な鍵ID（英数字・'-'・'_' の32文字以内、後ろに ':'）がありません。`,
      );
    }
    if (all.has(id)) {
      throw invalid(`key id "${id}" appears twice.`, `鍵ID「${id}」が重複しています。`);
    }
    const key = BASE64_PATTERN.test(encoded) ? Buffer.from(encoded, 'base64') : Buffer.alloc(0);
    if (key.length !== KEY_BYTES) {
      throw invalid(
        `key "${id}" is not base64 of exactly ${KEY_BYTES} bytes.`,
        `鍵「${id}」が ${KEY_BYTES} バイトちょうどの base64 ではありません。`,
      );
    }
    all.set(id, { id, key });
  });
  return { current: all.values().next().value as FieldKey, all };
}

/**
 * A new key for the ring, as base64 of 32 random bytes. From a shell, the same is
 * `node -e "console.log(require('crypto').randomBytes(32).toString('base64'))"`; prepend it as "k3:<key>,".
 */
export function generateKey(randomBytes: (size: number) => Buffer = nodeRandomBytes): string {
  return randomBytes(KEY_BYTES).toString('base64');
}

export class FieldCipher {
  constructor(
    private readonly keyRing: KeyRing,
    private readonly randomBytes: (size: number) => Buffer = nodeRandomBytes,
  ) {}

  get currentKeyId(): string {
    return this.keyRing.current.id;
  }

  encrypt(plaintext: string, binding: FieldBinding): string {
    const { id, key } = this.keyRing.current;
    // A fresh random IV every time: reusing an IV under one GCM key breaks both secrecy and integrity.
    const iv = this.randomBytes(IV_BYTES);
    const cipher = createCipheriv(ALGORITHM, key, iv);
    // The version, key id and place are authenticated too: a token cannot be relabelled to another
    // key, nor moved to another row or column.
    cipher.setAAD(additionalData(TOKEN_VERSION, id, checkedBinding(binding)));
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    const tag = cipher.getAuthTag();
    return [TOKEN_VERSION, id, iv.toString('base64'), tag.toString('base64'), ciphertext.toString('base64')].join('.');
  }

  /**
   * The plaintext of a token read from `binding`'s place. A bound token from anywhere else fails
   * (FIELD_DECRYPTION_FAILED); an unbound legacy token decrypts wherever it is (isBound tells them apart).
   */
  decrypt(token: string, binding: FieldBinding): string {
    const field = fieldName(binding);
    const { version, keyId, iv, tag, ciphertext } = parseToken(token, field);
    const fieldKey = this.keyRing.all.get(keyId);
    if (!fieldKey) {
      throw hubError(
        FieldCryptoErrorCode.FIELD_KEY_UNKNOWN,
        `The ${field} was encrypted with key "${keyId}", which is not in the key ring; add the key back before reading it.`,
        `${field} は鍵「${keyId}」で暗号化されていますが、その鍵が鍵リングにありません。読み出す前に鍵を戻してください。`,
        { field, details: { keyId } },
      );
    }
    try {
      const decipher = createDecipheriv(ALGORITHM, fieldKey.key, iv);
      decipher.setAAD(additionalData(version, keyId, version === LEGACY_VERSION ? null : checkedBinding(binding)));
      decipher.setAuthTag(tag);
      return Buffer.concat([decipher.update(ciphertext), decipher.final()]).toString('utf8');
    } catch {
      throw version === LEGACY_VERSION
        ? decryptionFailed(field, 'its authentication tag does not match (altered, or a different key with the same id).', '認証タグが一致しません（改変されたか、同じIDの別の鍵です）。')
        : decryptionFailed(
            field,
            `it does not belong to row ${binding.row} of ${field} (moved from another row or column), or it was altered.`,
            `${field} の行 ${binding.row} の値ではありません（別の行・列から移されたか、改変されています）。`,
          );
    }
  }

  encryptJson(value: unknown, binding: FieldBinding): string {
    return this.encrypt(JSON.stringify(value), binding);
  }

  decryptJson<T = unknown>(token: string, binding: FieldBinding): T {
    return JSON.parse(this.decrypt(token, binding)) as T;
  }

  keyIdOf(token: string, field = 'encrypted field'): string {
    return parseToken(token, field).keyId;
  }

  /** False for a legacy 'v1' token, which any row would accept: re-encryption binds it. */
  isBound(token: string, field = 'encrypted field'): boolean {
    return parseToken(token, field).version === TOKEN_VERSION;
  }

  /** True when the token is not under the current key or not bound, i.e. re-encryption should rewrite it. */
  needsRotation(token: string, field = 'encrypted field'): boolean {
    const { version, keyId } = parseToken(token, field);
    return keyId !== this.keyRing.current.id || version !== TOKEN_VERSION;
  }
}

const BINDING_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

function checkedBinding(binding: FieldBinding): FieldBinding {
  // A programming error, not input: every binding is built by the hub from its own names and ids.
  const name = (value: unknown) => typeof value === 'string' && BINDING_NAME.test(value);
  if (!binding || !name(binding.table) || !name(binding.column) || typeof binding.row !== 'string' || binding.row === '') {
    throw new Error(`field binding needs a table, a column and a row id, got ${JSON.stringify(binding)}`);
  }
  return binding;
}

/** Unambiguous (JSON of a list): no choice of row text can make two different places look alike. */
function additionalData(version: string, keyId: string, binding: FieldBinding | null): Buffer {
  if (binding === null) return Buffer.from(`${version}.${keyId}`, 'utf8');
  return Buffer.from(JSON.stringify([version, keyId, binding.table, binding.column, binding.row]), 'utf8');
}

function fieldName(binding: FieldBinding): string {
  return `${binding.table}.${binding.column}`;
}

function parseToken(token: string, field: string): { version: string; keyId: string; iv: Buffer; tag: Buffer; ciphertext: Buffer } {
  const parts = typeof token === 'string' ? token.split('.') : [];
  if (parts.length !== 5 || (parts[0] !== TOKEN_VERSION && parts[0] !== LEGACY_VERSION)) {
    throw decryptionFailed(field, `it is not a '${TOKEN_VERSION}.<keyId>.<iv>.<tag>.<ciphertext>' token.`, `'${TOKEN_VERSION}.<鍵ID>.<IV>.<タグ>.<暗号文>' 形式ではありません。`);
  }
  const [version, keyId, ivText, tagText, ciphertextText] = parts;
  const decode = (text: string) => (text === '' || BASE64_PATTERN.test(text) ? Buffer.from(text, 'base64') : null);
  const iv = decode(ivText);
  const tag = decode(tagText);
  const ciphertext = decode(ciphertextText);
  if (!KEY_ID_PATTERN.test(keyId) || iv?.length !== IV_BYTES || tag?.length !== TAG_BYTES || ciphertext === null) {
    throw decryptionFailed(field, 'one of its parts is malformed.', '構成要素のいずれかが不正です。');
  }
  return { version, keyId, iv, tag, ciphertext };
}

function decryptionFailed(field: string, reasonEn: string, reasonJa: string) {
  return hubError(
    FieldCryptoErrorCode.FIELD_DECRYPTION_FAILED,
    `The ${field} could not be decrypted: ${reasonEn}`,
    `${field} を復号できません：${reasonJa}`,
    { field },
  );
}

/** How the caller names what could not be read: the API field, the record in words, and its ids. */
export interface UnreadableSubject {
  field: string;
  en: string;
  ja: string;
  details: Record<string, unknown>;
}

/**
 * Decrypts a stored value for a caller. A value that cannot be read (moved from another row or
 * column, altered, or under a key no longer in the ring) is logged with where it is stored and why,
 * and refused with DATA_INTEGRITY_ERROR for this record only: the caller's other records are
 * unaffected, and nothing of another record is ever shown in its place.
 */
export function decryptForCaller(cipher: FieldCipher, token: string, binding: FieldBinding, subject: UnreadableSubject, requestId?: string | null): string {
  try {
    return cipher.decrypt(token, binding);
  } catch (err) {
    if (!(err instanceof HubError)) throw err;
    rootLogger.error(
      { requestId: requestId ?? undefined, table: binding.table, column: binding.column, row: binding.row, code: err.code, reason: err.message },
      'stored encrypted value refused on read',
    );
    throw hubError(
      FieldCryptoErrorCode.DATA_INTEGRITY_ERROR,
      `${subject.field}: ${subject.en} cannot be read: the stored value failed its integrity check (it belongs to another record, was altered, or its key is gone). Nothing is shown in its place; quote the requestId to the hub operators.`,
      `${subject.field}: ${subject.ja}を読み出せません。保存された値が整合性検査に失敗しました（別の記録のもの、改変、または鍵がありません）。代わりの値は表示しません。requestId を添えてハブの運用者に連絡してください。`,
      { field: subject.field, details: subject.details },
    );
  }
}
