/**
 * The allocation run with siblings: child-proposing deferred acceptance in which a family that must
 * (TOGETHER_ONLY) or would rather (TOGETHER_PREFERRED) be placed together proposes as one unit.
 *
 * - Units are introduced strongest first (points, then lottery), as in sorted deferred acceptance
 *   (Sun et al., AAAI 2024).
 * - A family proposes to its joint wishes (facilities every sibling wished, ordered by the sum of the
 *   siblings' ranks) and is held only if every sibling would be admitted in their class age: in each
 *   cell, the siblings plus the occupants ahead of the lowest of them fit the seats. Losing one sibling's
 *   seat withdraws the whole family, which frees the others' seats.
 * - Freed seats are what breaks plain DA: a child rejected earlier may now be admitted. Every cell keeps
 *   the units it rejected; when a seat in it frees, those that prefer it to where they are and now fit
 *   are reconsidered (moved up), and the evictions this causes run on as in DA ("iterative re-runs").
 * - A TOGETHER_PREFERRED family that fits nowhere together splits: each sibling proposes on their own
 *   wishes, and the family is reconsidered whenever a seat frees at one of its joint wishes.
 *
 * When the queue and the freed cells are both empty, no unit can improve: the result is stable in the
 * sense of stability-check.ts. Siblings can make that impossible (the search then cycles); after a
 * budget of steps the run stops with NO_STABLE_RESULT_FOUND and names the families still moving.
 * Without siblings this is exactly deferred acceptance: the child-optimal stable matching.
 */
import { AllocationInstance, AllocationResult, AllocationStatus } from './instance';
import { lotteryNumber } from './lottery';
import { lotteryRecord, prepare, Prepared } from './priority';
import { SiblingPolicy } from './rules';
import { assignmentsOf, Cells } from './seat-cells';

export interface AllocateOptions {
  /** Steps (proposals and reconsiderations) per attempt before giving up; default max(100,000, 10 × wishes). */
  budget?: number;
  /** Attempts in all (the first in sorted order, then in orders drawn from the seed); default 6. */
  attempts?: number;
}

interface Family {
  id: string;
  mode: SiblingPolicy;
  members: number[];
  /** Joint wishes: facility indices, best first. */
  joint: number[];
  /** Per joint wish, per member: the cell, or -1 when the facility has no class for that member. */
  jointCells: Int32Array[];
  /** Per joint wish, per member: the member's own wish index of that facility. */
  jointWish: Int32Array[];
}

/**
 * Runs the search in sorted order; when it cycles, runs it again with the units introduced in an order
 * drawn from the seed (attempt k uses lottery numbers of seed + k), since which stable result is reached,
 * and whether the search cycles, depends on the path. The result is the first stable one, or the last
 * attempt's, reported as NO_STABLE_RESULT_FOUND. Deterministic: the attempts depend on the seed only.
 */
export function allocate(instance: AllocationInstance, seed: number, options: AllocateOptions = {}): AllocationResult {
  const prepared = prepare(instance, seed);
  const attempts = Math.max(1, options.attempts ?? 6);
  let result!: AllocationResult;
  let steps = 0;
  for (let attempt = 0; attempt < attempts; attempt++) {
    result = new SiblingAllocator(prepared, instance, options, attempt).run(seed);
    steps += result.stats.proposals;
    if (result.status === AllocationStatus.STABLE) break;
  }
  return { ...result, stats: { ...result.stats, proposals: steps } };
}

/** Facilities every member wished, by the sum of their ranks, then the best rank, then facility id. */
export function jointWishes(wishLists: readonly string[][]): string[] {
  const [first, ...others] = wishLists;
  const common = first.filter((f) => others.every((w) => w.includes(f)));
  const ranks = (f: string) => wishLists.map((w) => w.indexOf(f));
  const sum = (f: string) => ranks(f).reduce((a, b) => a + b, 0);
  return common.sort((a, b) => sum(a) - sum(b) || Math.min(...ranks(a)) - Math.min(...ranks(b)) || (a < b ? -1 : 1));
}

class SiblingAllocator {
  private readonly n: number;
  private readonly cells: Cells;
  private readonly heldCell: Int32Array;
  private readonly heldWish: Int32Array;
  private readonly next: Int32Array;
  /** A child's family when it has a together mode; -1 otherwise (INDEPENDENT siblings are singles). */
  private readonly familyOf: Int32Array;
  /** A child that does not propose on its own (its family proposes for it). */
  private readonly dormant: Uint8Array;
  private readonly families: Family[] = [];
  private gHeld!: Int32Array;
  private gNext!: Int32Array;
  private gSplit!: Uint8Array;
  private lastMove!: Float64Array;
  private readonly queue: number[] = [];
  private head = 0;
  private inQueue!: Uint8Array;
  private readonly rejected: number[][];
  private readonly rejectedSeen = new Set<number>();
  private readonly dirty: number[] = [];
  private dirtyHead = 0;
  private readonly isDirty: Uint8Array;
  private ops = 0;
  private reconsiderations = 0;
  private readonly budget: number;

  constructor(private readonly p: Prepared, instance: AllocationInstance, options: AllocateOptions, private readonly attempt: number) {
    this.n = p.children.length;
    this.cells = new Cells(p.cellCapacity);
    this.heldCell = new Int32Array(this.n).fill(-1);
    this.heldWish = new Int32Array(this.n).fill(-1);
    this.next = new Int32Array(this.n);
    this.familyOf = new Int32Array(this.n).fill(-1);
    this.dormant = new Uint8Array(this.n);
    this.rejected = Array.from(p.cellCapacity, () => []);
    this.isDirty = new Uint8Array(p.cellCapacity.length);
    const wishes = p.children.reduce((sum, c) => sum + c.wishes.length, 0);
    this.budget = options.budget ?? Math.max(100_000, 10 * wishes);
    this.buildFamilies(instance);
  }

  private buildFamilies(instance: AllocationInstance): void {
    const { p } = this;
    const groups = [...instance.siblingGroups].filter((g) => g.mode !== SiblingPolicy.INDEPENDENT).sort((a, b) => (a.id < b.id ? -1 : 1));
    for (const group of groups) {
      const members = group.childIds.map((id) => p.childIndex.get(id) as number).sort((a, b) => a - b);
      const joint = jointWishes(members.map((m) => p.children[m].wishes)).map((f) => p.facilityIndex.get(f) as number);
      const jointWish = joint.map((f) => Int32Array.from(members, (m) => p.children[m].wishes.indexOf(p.facilityIds[f])));
      const jointCells = jointWish.map((wishes) => Int32Array.from(members, (m, i) => p.wishCell[m][wishes[i]]));
      const g = this.families.length;
      this.families.push({ id: group.id, mode: group.mode, members, joint, jointCells, jointWish });
      for (const m of members) {
        this.familyOf[m] = g;
        this.dormant[m] = 1;
      }
    }
    const G = this.families.length;
    this.gHeld = new Int32Array(G).fill(-1);
    this.gNext = new Int32Array(G);
    this.gSplit = new Uint8Array(G);
    this.lastMove = new Float64Array(G);
    this.inQueue = new Uint8Array(this.n + G);
  }

  private seed = 0;

  run(seed: number): AllocationResult {
    this.seed = seed;
    this.enqueueInitialUnits();
    let exhausted = false;
    for (;;) {
      while (this.head < this.queue.length) {
        if (this.ops > this.budget) break;
        const unit = this.queue[this.head++];
        this.inQueue[unit] = 0;
        if (unit < this.n) this.proposeSingle(unit);
        else this.proposeFamily(unit - this.n);
      }
      if (this.ops > this.budget) {
        exhausted = true;
        break;
      }
      if (this.head > 65_536) {
        this.queue.splice(0, this.head);
        this.head = 0;
      }
      if (this.dirtyHead === this.dirty.length) break;
      const cell = this.dirty[this.dirtyHead++];
      this.isDirty[cell] = 0;
      this.reconsider(cell);
    }
    const moving = this.families.filter((_, g) => this.lastMove[g] > this.ops / 2).map((f) => f.id).sort();
    return {
      seed,
      status: exhausted ? AllocationStatus.NO_STABLE_RESULT_FOUND : AllocationStatus.STABLE,
      assignments: assignmentsOf(this.p, this.heldWish),
      lottery: lotteryRecord(this.p),
      unresolvedFamilies: exhausted ? moving : [],
      stats: { proposals: this.ops, reconsiderations: this.reconsiderations, attempts: this.attempt + 1 },
    };
  }

  /** Strongest first: points, then lottery (child ids break what is left). */
  private enqueueInitialUnits(): void {
    const { p, n } = this;
    const units: { unit: number; points: number; lottery: number }[] = [];
    for (let c = 0; c < n; c++) if (!this.dormant[c]) units.push({ unit: c, points: p.children[c].points, lottery: p.lottery[c] });
    this.families.forEach((f, g) => {
      const weakest = f.members.reduce((w, m) => (p.children[m].points < p.children[w].points ? m : w));
      units.push({ unit: n + g, points: p.children[weakest].points, lottery: p.lottery[weakest] });
    });
    if (this.attempt === 0) units.sort((a, b) => b.points - a.points || a.lottery - b.lottery || a.unit - b.unit);
    else {
      const draw = (unit: number) => lotteryNumber(this.seed + this.attempt, unit < n ? p.children[unit].id : this.families[unit - n].id);
      units.forEach((u) => (u.lottery = draw(u.unit)));
      units.sort((a, b) => a.lottery - b.lottery || a.unit - b.unit);
    }
    for (const { unit } of units) this.enqueue(unit);
  }

  private enqueue(unit: number): void {
    if (this.inQueue[unit]) return;
    this.inQueue[unit] = 1;
    this.queue.push(unit);
  }

  private markDirty(cell: number): void {
    if (this.isDirty[cell]) return;
    this.isDirty[cell] = 1;
    this.dirty.push(cell);
  }

  private reject(cell: number, unit: number): void {
    const key = unit * this.isDirty.length + cell;
    if (this.rejectedSeen.has(key)) return;
    this.rejectedSeen.add(key);
    this.rejected[cell].push(unit);
  }

  private proposeSingle(c: number): void {
    if (this.dormant[c] || this.heldCell[c] >= 0) return;
    const wishCells = this.p.wishCell[c];
    while (this.next[c] < wishCells.length) {
      const wish = this.next[c]++;
      const cell = wishCells[wish];
      if (cell < 0) continue;
      this.ops++;
      if (this.canAdmitSingle(c, wish, cell)) return this.admitSingle(c, wish, cell);
      this.reject(cell, c);
    }
  }

  private canAdmitSingle(c: number, wish: number, cell: number): boolean {
    if (!this.cells.isFull(cell)) return true;
    const worst = this.cells.worst(cell);
    return worst >= 0 && this.cells.ranks[cell][worst] > this.p.rank[c][wish];
  }

  private admitSingle(c: number, wish: number, cell: number): void {
    if (this.cells.isFull(cell)) this.evict(cell, this.cells.worst(cell));
    this.cells.add(cell, c, this.p.rank[c][wish]);
    this.heldCell[c] = cell;
    this.heldWish[c] = wish;
    this.next[c] = wish + 1;
    // A split family's own chance to be together there may have changed.
    if (this.familyOf[c] >= 0) this.markDirty(cell);
  }

  private evict(cell: number, at: number): void {
    const o = this.cells.removeAt(cell, at);
    this.heldCell[o] = -1;
    this.heldWish[o] = -1;
    const g = this.familyOf[o];
    if (g >= 0 && !this.gSplit[g]) {
      const j = this.gHeld[g];
      this.withdraw(g);
      this.rejectFamilyAt(g, j);
      this.gHeld[g] = -1;
      this.gNext[g] = j + 1;
      this.lastMove[g] = this.ops;
      this.enqueue(this.n + g);
    } else {
      this.reject(cell, o);
      this.enqueue(o);
    }
  }

  /** Takes every member of a family out of the seats they hold; the seats freed are reconsidered. */
  private withdraw(g: number): void {
    for (const m of this.families[g].members) {
      const cell = this.heldCell[m];
      if (cell < 0) continue;
      this.cells.remove(cell, m);
      this.markDirty(cell);
      this.heldCell[m] = -1;
      this.heldWish[m] = -1;
    }
  }

  private rejectFamilyAt(g: number, j: number): void {
    for (const cell of this.families[g].jointCells[j]) if (cell >= 0) this.reject(cell, this.n + g);
  }

  private proposeFamily(g: number): void {
    const family = this.families[g];
    if (this.gHeld[g] >= 0 || this.gSplit[g]) return;
    while (this.gNext[g] < family.joint.length) {
      const j = this.gNext[g]++;
      this.ops++;
      if (this.familyFits(g, j)) return this.commitFamily(g, j);
      this.rejectFamilyAt(g, j);
    }
    if (family.mode === SiblingPolicy.TOGETHER_PREFERRED) {
      this.gSplit[g] = 1;
      this.lastMove[g] = this.ops;
      for (const m of family.members) {
        this.dormant[m] = 0;
        this.next[m] = 0;
        this.enqueue(m);
      }
    }
  }

  /** Every member admitted at joint wish j: per cell, the members and the others ahead of the lowest member fit. */
  private familyFits(g: number, j: number): boolean {
    const { members, jointCells, jointWish } = this.families[g];
    const cellsAt = jointCells[j];
    for (let i = 0; i < members.length; i++) {
      const cell = cellsAt[i];
      if (cell < 0) return false;
      let k = 0;
      let lowest = -1;
      for (let x = 0; x < members.length; x++) {
        if (cellsAt[x] !== cell) continue;
        k++;
        lowest = Math.max(lowest, this.p.rank[members[x]][jointWish[j][x]]);
      }
      let ahead = 0;
      const occupants = this.cells.occupants[cell];
      const ranks = this.cells.ranks[cell];
      for (let o = 0; o < occupants.length; o++) if (this.familyOf[occupants[o]] !== g && ranks[o] < lowest) ahead++;
      if (ahead + k > this.p.cellCapacity[cell]) return false;
    }
    return true;
  }

  private commitFamily(g: number, j: number): void {
    const { members, jointCells, jointWish } = this.families[g];
    this.withdraw(g);
    if (this.gSplit[g]) {
      this.gSplit[g] = 0;
      for (const m of members) this.dormant[m] = 1;
    }
    members.forEach((m, i) => {
      const cell = jointCells[j][i];
      this.cells.add(cell, m, this.p.rank[m][jointWish[j][i]]);
      this.heldCell[m] = cell;
      this.heldWish[m] = jointWish[j][i];
    });
    this.gHeld[g] = j;
    this.gNext[g] = j + 1;
    this.lastMove[g] = this.ops;
    // familyFits guarantees that whoever is over the seats is not a member.
    for (const cell of jointCells[j]) while (this.cells.size(cell) > this.p.cellCapacity[cell]) this.evict(cell, this.cells.worst(cell));
  }

  /** Where a split family stands: together by chance at a joint wish (its index), or nowhere together. */
  private splitPosition(g: number): number {
    const { members, joint } = this.families[g];
    const cell = this.heldCell[members[0]];
    if (cell < 0) return joint.length;
    const facility = this.p.cellFacility[cell];
    if (!members.every((m) => this.heldCell[m] >= 0 && this.p.cellFacility[this.heldCell[m]] === facility)) return joint.length;
    const j = joint.indexOf(facility);
    return j < 0 ? joint.length : j;
  }

  /** A seat of `cell` was freed: units it rejected that prefer it to where they are, and now fit, move there. */
  private reconsider(cell: number): void {
    const list = this.rejected[cell];
    const facility = this.p.cellFacility[cell];
    for (let i = 0, end = list.length; i < end; i++) {
      if (++this.ops > this.budget) return;
      const unit = list[i];
      if (unit < this.n) {
        const c = unit;
        if (this.dormant[c]) continue;
        const wish = this.p.wishCell[c].indexOf(cell);
        const position = this.heldCell[c] >= 0 ? this.heldWish[c] : this.next[c];
        if (wish >= position || !this.canAdmitSingle(c, wish, cell)) continue;
        if (this.heldCell[c] >= 0) {
          this.cells.remove(this.heldCell[c], c);
          this.markDirty(this.heldCell[c]);
        }
        this.admitSingle(c, wish, cell);
        this.reconsiderations++;
      } else {
        const g = unit - this.n;
        const j = this.families[g].joint.indexOf(facility);
        const position = this.gSplit[g] ? this.splitPosition(g) : this.gHeld[g] >= 0 ? this.gHeld[g] : this.gNext[g];
        if (j < 0 || j >= position || !this.familyFits(g, j)) continue;
        this.commitFamily(g, j);
        this.reconsiderations++;
      }
    }
  }
}
