/** The algorithms' working state of seats: who holds each facility × class age cell, with their ranks there. */
import { Assignment } from './instance';
import { Prepared } from './priority';

/** Cells' occupants with their ranks; evicting returns the worst occupant. */
export class Cells {
  readonly occupants: number[][];
  readonly ranks: number[][];

  constructor(private readonly capacity: Int32Array) {
    this.occupants = Array.from(capacity, () => []);
    this.ranks = Array.from(capacity, () => []);
  }

  size(cell: number): number {
    return this.occupants[cell].length;
  }

  isFull(cell: number): boolean {
    return this.occupants[cell].length >= this.capacity[cell];
  }

  /** Position (in the occupants list) of the occupant with the worst rank; -1 when empty. */
  worst(cell: number): number {
    const ranks = this.ranks[cell];
    let at = -1;
    for (let i = 0; i < ranks.length; i++) if (at < 0 || ranks[i] > ranks[at]) at = i;
    return at;
  }

  add(cell: number, child: number, rank: number): void {
    this.occupants[cell].push(child);
    this.ranks[cell].push(rank);
  }

  removeAt(cell: number, at: number): number {
    const occupants = this.occupants[cell];
    const ranks = this.ranks[cell];
    const child = occupants[at];
    occupants[at] = occupants[occupants.length - 1];
    ranks[at] = ranks[ranks.length - 1];
    occupants.pop();
    ranks.pop();
    return child;
  }

  remove(cell: number, child: number): void {
    const at = this.occupants[cell].indexOf(child);
    if (at >= 0) this.removeAt(cell, at);
  }
}

export function assignmentsOf(p: Prepared, heldWish: Int32Array): Assignment[] {
  return p.children.map((child, i) =>
    heldWish[i] >= 0 ? { childId: child.id, facilityId: child.wishes[heldWish[i]], wishRank: heldWish[i] + 1 } : { childId: child.id, facilityId: null, wishRank: null });
}

