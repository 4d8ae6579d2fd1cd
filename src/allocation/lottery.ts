/**
 * The lottery (抽選) that decides what every other criterion leaves tied. Each child's number is a
 * hash of the run's seed and the child's id, so the draw does not depend on the order in which
 * children are listed, and the same seed repeats it exactly.
 */

/** A 32-bit unsigned integer from a seed and an id (FNV-1a over the id, mixed with the seed by murmur3's finaliser). */
export function lotteryNumber(seed: number, id: string): number {
  let h = 0x811c9dc5 ^ (seed >>> 0);
  for (let i = 0; i < id.length; i++) {
    h ^= id.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= seed >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

