/**
 * child_key: who the child is, as a keyed hash, so that "one active application per child, intake
 * month and partner" is a unique index without the child's identity stored in clear.
 *
 * Identity = kana name (normalised: NFKC, hiragana → katakana, no spaces, one long-vowel mark) and
 * birth date. The kana rather than the kanji name because partners type kanji variants (髙/高, 﨑/崎)
 * while kana is what forms ask for in one script.
 *
 * The HMAC key is derived (HKDF-SHA256) from a field-encryption key, and the key id is kept in the
 * value ('<keyId>:<hex>'): after a key rotation the duplicate check looks for every key in the ring,
 * while the database index protects the current key's values.
 */
import { createHmac, hkdfSync } from 'node:crypto';
import { normalizeKana } from '../common/normalize';
import type { FieldKey } from '../common/field-crypto';

const HKDF_INFO = 'hokatsu-hub/child-key/v1';

export interface ChildIdentity {
  kana: string;
  /** YYYY-MM-DD */
  birthDate: string;
}

/** The exact text that is hashed; two spellings of one child give the same text. */
export function childIdentityText(child: ChildIdentity): string {
  return `${normalizeKana(child.kana)}|${child.birthDate}`;
}

export function deriveChildKeySecret(fieldKey: FieldKey): Buffer {
  return Buffer.from(hkdfSync('sha256', fieldKey.key, Buffer.alloc(0), HKDF_INFO, 32));
}

/** Derived once per field key (HKDF is the costly part of a child key); a dropped key is collected with it. */
const derivedSecrets = new WeakMap<FieldKey, Buffer>();

function childKeySecret(fieldKey: FieldKey): Buffer {
  let secret = derivedSecrets.get(fieldKey);
  if (!secret) derivedSecrets.set(fieldKey, (secret = deriveChildKeySecret(fieldKey)));
  return secret;
}

export function childKeyOf(child: ChildIdentity, fieldKey: FieldKey, identityText = childIdentityText(child)): string {
  const mac = createHmac('sha256', childKeySecret(fieldKey)).update(identityText, 'utf8').digest('hex');
  return `${fieldKey.id}:${mac}`;
}

/** The child's key under every key of the ring, current first: what a duplicate check looks for. */
export function childKeysUnderRing(child: ChildIdentity, keys: Iterable<FieldKey>): string[] {
  const identityText = childIdentityText(child);
  return [...keys].map((key) => childKeyOf(child, key, identityText));
}
