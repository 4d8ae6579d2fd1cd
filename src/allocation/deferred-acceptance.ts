/**
 * Plain child-proposing deferred acceptance (Gale–Shapley) that treats every child on their own,
 * siblings included. Without sibling groups it gives the child-optimal stable matching; it is the
 * baseline of the allocation bench and a reference for the property tests.
 */
import { AllocationInstance, AllocationResult, AllocationStatus } from './instance';
import { lotteryRecord, prepare } from './priority';
import { assignmentsOf, Cells } from './seat-cells';

export function deferredAcceptance(instance: AllocationInstance, seed: number): AllocationResult {
  const p = prepare(instance, seed);
  const n = p.children.length;
  const cells = new Cells(p.cellCapacity);
  const next = new Int32Array(n);
  const heldWish = new Int32Array(n).fill(-1);
  const free: number[] = [];
  for (let c = n - 1; c >= 0; c--) free.push(c);
  let proposals = 0;
  while (free.length) {
    const c = free.pop() as number;
    const wishes = p.wishCell[c];
    while (next[c] < wishes.length) {
      const wish = next[c]++;
      const cell = wishes[wish];
      if (cell < 0) continue;
      proposals++;
      const rank = p.rank[c][wish];
      if (!cells.isFull(cell)) {
        cells.add(cell, c, rank);
        heldWish[c] = wish;
        break;
      }
      const worst = cells.worst(cell);
      if (worst >= 0 && cells.ranks[cell][worst] > rank) {
        const evicted = cells.removeAt(cell, worst);
        heldWish[evicted] = -1;
        free.push(evicted);
        cells.add(cell, c, rank);
        heldWish[c] = wish;
        break;
      }
    }
  }
  return { seed, status: AllocationStatus.STABLE, assignments: assignmentsOf(p, heldWish), lottery: lotteryRecord(p), unresolvedFamilies: [], stats: { proposals, reconsiderations: 0 } };
}
