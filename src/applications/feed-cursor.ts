/**
 * Cursors of a municipality's PULL feed (pure). Feed entries are numbered by one sequence for every
 * municipality, so a plain number would tell a municipality how many entries the others got between
 * two of its own, and would let it name positions in another municipality's range. The cursor handed
 * out is therefore opaque and bound to the municipality it was given to:
 *
 *   'fc1_' + base64url( AES-256( "FC" ‖ municipality code (6 ASCII digits) ‖ position (uint64, big-endian) ) )
 *
 * AES here is used as a pseudo-random permutation of exactly one 16-byte block (no chaining, no
 * padding): the same position gives the same cursor, nothing about the position can be read from it,
 * and a block that was not made by the hub for this municipality decrypts to random bytes, which
 * carry "FC" and the caller's code with probability 2^-64. So a cursor of another municipality, an
 * altered one and an invented one are all refused alike, without saying which.
 *
 * The key is derived (HKDF-SHA256) from each key of HUB_ENCRYPTION_KEYS: cursors are made with the
 * current key and read with any key of the ring, so they survive a rotation until the old key is dropped
 * (then a municipality continues from its acknowledged position by leaving out `after`).
 */
import { createCipheriv, createDecipheriv, hkdfSync } from 'node:crypto';
import type { FieldKey, KeyRing } from '../common/field-crypto';

const PREFIX = 'fc1_';
const MARK = 'FC';
const HKDF_INFO = 'hokatsu-hub/feed-cursor/v1';
const CURSOR_PATTERN = /^fc1_[A-Za-z0-9_-]{22}$/;
const MUNICIPALITY_CODE = /^\d{6}$/;
const MAX_POSITION = (1n << 63n) - 1n;

export type DecodedFeedCursor =
  | { position: bigint }
  /** Not shaped like a cursor at all (BAD_USER_INPUT). */
  | { problem: 'MALFORMED' }
  /** Shaped like one, but not made by this hub for this municipality (FEED_CURSOR_UNKNOWN). */
  | { problem: 'NOT_YOURS' };

const derivedKeys = new WeakMap<FieldKey, Buffer>();

function cursorKey(fieldKey: FieldKey): Buffer {
  let key = derivedKeys.get(fieldKey);
  if (!key) derivedKeys.set(fieldKey, (key = Buffer.from(hkdfSync('sha256', fieldKey.key, Buffer.alloc(0), HKDF_INFO, 32))));
  return key;
}

function oneBlock(mode: 'encrypt' | 'decrypt', key: Buffer, block: Buffer): Buffer {
  const cipher = mode === 'encrypt' ? createCipheriv('aes-256-ecb', key, null) : createDecipheriv('aes-256-ecb', key, null);
  cipher.setAutoPadding(false);
  return Buffer.concat([cipher.update(block), cipher.final()]);
}

export function encodeFeedCursor(ring: KeyRing, municipalityCode: string, position: bigint): string {
  // Programming errors, not input: both come from the hub's own rows.
  if (!MUNICIPALITY_CODE.test(municipalityCode)) throw new Error(`feed cursor needs a six-digit municipality code, got ${JSON.stringify(municipalityCode)}`);
  if (position < 0n || position > MAX_POSITION) throw new Error(`feed cursor position out of range: ${position}`);
  const block = Buffer.alloc(16);
  block.write(MARK, 0, 'ascii');
  block.write(municipalityCode, 2, 'ascii');
  block.writeBigUInt64BE(position, 8);
  return PREFIX + oneBlock('encrypt', cursorKey(ring.current), block).toString('base64url');
}

export function decodeFeedCursor(ring: KeyRing, municipalityCode: string, cursor: unknown): DecodedFeedCursor {
  if (typeof cursor !== 'string' || !CURSOR_PATTERN.test(cursor)) return { problem: 'MALFORMED' };
  const sealed = Buffer.from(cursor.slice(PREFIX.length), 'base64url');
  // 22 base64url characters carry 132 bits: the last 4 must be zero, or two spellings would name one block.
  if (sealed.length !== 16 || sealed.toString('base64url') !== cursor.slice(PREFIX.length)) return { problem: 'MALFORMED' };
  const expected = Buffer.from(`${MARK}${municipalityCode}`, 'latin1');
  for (const fieldKey of ring.all.values()) {
    const block = oneBlock('decrypt', cursorKey(fieldKey), sealed);
    // Compared as bytes: decoding as 'ascii' would drop the high bit and let two byte values match.
    if (block.subarray(0, 8).equals(expected)) {
      const position = block.readBigUInt64BE(8);
      if (position <= MAX_POSITION) return { position };
    }
  }
  return { problem: 'NOT_YOURS' };
}
