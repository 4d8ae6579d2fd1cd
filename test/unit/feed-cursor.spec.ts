import { decodeFeedCursor, encodeFeedCursor } from '../../src/applications/feed-cursor';
import { parseKeyRing } from '../../src/common/field-crypto';

const K1 = `k1:${Buffer.alloc(32, 1).toString('base64')}`;
const K2 = `k2:${Buffer.alloc(32, 2).toString('base64')}`;
const RING = parseKeyRing(K1, 'KEYS');
const ITABASHI = '131199';
const ADACHI = '131211';

/** The cursor with one bit of its block flipped (the string stays well formed). */
function flipped(cursor: string, byte: number): string {
  const block = Buffer.from(cursor.slice(4), 'base64url');
  block[byte] ^= 0x01;
  return `fc1_${block.toString('base64url')}`;
}

describe('feed cursors: opaque, and the municipality\'s own', () => {
  it.each([0n, 1n, 2n, 1234567n, (1n << 63n) - 1n])('round-trips position %s', (position) => {
    const cursor = encodeFeedCursor(RING, ITABASHI, position);
    expect(cursor).toMatch(/^fc1_[A-Za-z0-9_-]{22}$/);
    expect(decodeFeedCursor(RING, ITABASHI, cursor)).toEqual({ position });
  });

  it('gives the same cursor for the same position (stable to compare), and nothing readable of the position', () => {
    expect(encodeFeedCursor(RING, ITABASHI, 41n)).toBe(encodeFeedCursor(RING, ITABASHI, 41n));
    const [a, b] = [encodeFeedCursor(RING, ITABASHI, 41n), encodeFeedCursor(RING, ITABASHI, 42n)];
    expect(a).not.toBe(b);
    // neighbouring positions share no telling prefix
    expect(a.slice(0, 8)).not.toBe(b.slice(0, 8));
    expect(a).not.toContain('41');
  });

  it.each([
    ['another municipality\'s cursor', encodeFeedCursor(RING, ITABASHI, 7n)],
    ['a cursor made with a key the ring does not hold', encodeFeedCursor(parseKeyRing(K2, 'KEYS'), ADACHI, 7n)],
    ...[0, 1, 2, 7, 8, 15].map((byte) => [`a cursor with byte ${byte} altered`, flipped(encodeFeedCursor(RING, ADACHI, 7n), byte)] as [string, string]),
    ['an invented block', `fc1_${Buffer.alloc(16, 0).toString('base64url')}`],
  ])('refuses %s as not the caller\'s, saying no more', (_label, cursor) => {
    expect(decodeFeedCursor(RING, ADACHI, cursor)).toEqual({ problem: 'NOT_YOURS' });
  });

  it.each([
    ['a plain number (the old cursors)', '17'],
    ['empty', ''],
    ['another prefix', `fc2_${Buffer.alloc(16).toString('base64url')}`],
    ['too short', 'fc1_AAAA'],
    ['too long', `fc1_${Buffer.alloc(17).toString('base64url')}`],
    ['standard base64 characters', `fc1_${'+'.repeat(21)}A`],
    ['a non-canonical last character', `fc1_${'A'.repeat(21)}B`],
    ['a NUL byte', `fc1_${'A'.repeat(21)}\u0000`],
    ['not a string', 17],
  ])('refuses %s as malformed', (_label, cursor) => {
    expect(decodeFeedCursor(RING, ADACHI, cursor)).toEqual({ problem: 'MALFORMED' });
  });

  it('survives a key rotation while the old key is in the ring, and is made with the new key', () => {
    const old = encodeFeedCursor(RING, ITABASHI, 5n);
    const rotated = parseKeyRing(`${K2},${K1}`, 'KEYS');
    expect(decodeFeedCursor(rotated, ITABASHI, old)).toEqual({ position: 5n });
    expect(encodeFeedCursor(rotated, ITABASHI, 5n)).not.toBe(old);
    expect(decodeFeedCursor(parseKeyRing(K2, 'KEYS'), ITABASHI, old)).toEqual({ problem: 'NOT_YOURS' });
  });

  it.each([
    ['a municipality code that is not six digits', '13119', 1n],
    ['a negative position', ITABASHI, -1n],
    ['a position past 2^63 - 1', ITABASHI, 1n << 63n],
  ])('is never made for %s (a programming error)', (_label, code, position) => {
    expect(() => encodeFeedCursor(RING, code, position)).toThrow();
  });
});
