/**
 * Encryption of personal fields at rest (個人情報保護法: encrypt personal fields), AES-256-GCM.
 *
 * Keys come from an environment variable holding a key ring, current key first:
 *   HUB_ENCRYPTION_KEYS="k2:<base64 of 32 bytes>,k1:<base64 of 32 bytes>"
 * New values are encrypted with the first key; every key in the ring decrypts. To rotate, put a new
 * key in front, re-encrypt (`npm run hub -- reencrypt-fields`, src/common/field-reencryption.ts), then drop the old key.
 *
 * A token is 'v1.<keyId>.<iv>.<tag>.<ciphertext>' (base64 parts): self-describing, so a row says which
 * key it needs, and the leading version leaves room for another algorithm later.
 */
import { createCipheriv, createDecipheriv, randomBytes as nodeRandomBytes } from 'node:crypto';
import { hubError } from './errors';

const TOKEN_VERSION = 'v1';
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
  /** A token is malformed or was altered; never returns partial or unauthenticated plaintext. */
  FIELD_DECRYPTION_FAILED: 'FIELD_DECRYPTION_FAILED',
} as const;

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

  encrypt(plaintext: string): string {
    const { id, key } = this.keyRing.current;
    // A fresh random IV every time: reusing an IV under one GCM key breaks both secrecy and integrity.
    const iv = this.randomBytes(IV_BYTES);
    const cipher = createCipheriv(ALGORITHM, key, iv);
    // The version and key id are authenticated too, so a token cannot be relabelled to another key.
    cipher.setAAD(additionalData(id));
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    const tag = cipher.getAuthTag();
    return [TOKEN_VERSION, id, iv.toString('base64'), tag.toString('base64'), ciphertext.toString('base64')].join('.');
  }

  /** `field` only names the column in the error message (e.g. 'guardian.name'). */
  decrypt(token: string, field = 'encrypted field'): string {
    const { keyId, iv, tag, ciphertext } = parseToken(token, field);
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
      decipher.setAAD(additionalData(keyId));
      decipher.setAuthTag(tag);
      return Buffer.concat([decipher.update(ciphertext), decipher.final()]).toString('utf8');
    } catch {
      throw decryptionFailed(field, 'its authentication tag does not match (altered, or a different key with the same id).', '認証タグが一致しません（改変されたか、同じIDの別の鍵です）。');
    }
  }

  encryptJson(value: unknown): string {
    return this.encrypt(JSON.stringify(value));
  }

  decryptJson<T = unknown>(token: string, field?: string): T {
    return JSON.parse(this.decrypt(token, field)) as T;
  }

  keyIdOf(token: string, field = 'encrypted field'): string {
    return parseToken(token, field).keyId;
  }

  /** True when the token is not under the current key, i.e. a rotation job should re-encrypt it. */
  needsRotation(token: string): boolean {
    return this.keyIdOf(token) !== this.keyRing.current.id;
  }
}

function additionalData(keyId: string): Buffer {
  return Buffer.from(`${TOKEN_VERSION}.${keyId}`, 'utf8');
}

function parseToken(token: string, field: string): { keyId: string; iv: Buffer; tag: Buffer; ciphertext: Buffer } {
  const parts = typeof token === 'string' ? token.split('.') : [];
  if (parts.length !== 5 || parts[0] !== TOKEN_VERSION) {
    throw decryptionFailed(field, `it is not a '${TOKEN_VERSION}.<keyId>.<iv>.<tag>.<ciphertext>' token.`, `'${TOKEN_VERSION}.<鍵ID>.<IV>.<タグ>.<暗号文>' 形式ではありません。`);
  }
  const [, keyId, ivText, tagText, ciphertextText] = parts;
  const decode = (text: string) => (text === '' || BASE64_PATTERN.test(text) ? Buffer.from(text, 'base64') : null);
  const iv = decode(ivText);
  const tag = decode(tagText);
  const ciphertext = decode(ciphertextText);
  if (!KEY_ID_PATTERN.test(keyId) || iv?.length !== IV_BYTES || tag?.length !== TAG_BYTES || ciphertext === null) {
    throw decryptionFailed(field, 'one of its parts is malformed.', '構成要素のいずれかが不正です。');
  }
  return { keyId, iv, tag, ciphertext };
}

function decryptionFailed(field: string, reasonEn: string, reasonJa: string) {
  return hubError(
    FieldCryptoErrorCode.FIELD_DECRYPTION_FAILED,
    `The ${field} could not be decrypted: ${reasonEn}`,
    `${field} を復号できません：${reasonJa}`,
    { field },
  );
}
