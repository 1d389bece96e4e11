/**
 * Counts of word-id pairs in one open-addressing array of slots, each slot
 * four int32: the two ids, the count and a value (the order it was first
 * counted in, or a phrase's id). A lookup touches one slot, mostly one
 * cache line; no object or string per pair.
 */
const SLOT = 4; // int32 per slot (slot << 2 below)

/** Bytes a pair costs on average (the table at most half full). */
export const BYTES_PER_PAIR = 2 * SLOT * 4;

/** What a pair table is made of. */
export interface PairTableParts {
  slots: Int32Array<ArrayBuffer>;
  size: number;
}

export class PairTable {
  private slots: Int32Array<ArrayBuffer>;
  private mask: number;
  /** Pairs in the table. */
  size = 0;

  constructor(capacity = 1 << 12) {
    let n = 1 << 12;
    while (n < 2 * capacity) n *= 2;
    this.slots = new Int32Array(n * SLOT);
    this.mask = n - 1;
  }

  /** The table's arrays and size, to move it to another thread (transfer `slots.buffer`). */
  toParts(): PairTableParts {
    return { slots: this.slots, size: this.size };
  }

  /** A table over the arrays of `toParts` (not copied). */
  static fromParts(parts: PairTableParts): PairTable {
    const table = new PairTable();
    table.slots = parts.slots;
    table.mask = parts.slots.length / SLOT - 1;
    table.size = parts.size;
    return table;
  }

  /** The slot of (a, b), or -1. */
  find(a: number, b: number): number {
    const slots = this.slots;
    for (let s = hashPair(a, b) & this.mask; ; s = (s + 1) & this.mask) {
      const at = s * SLOT;
      if (slots[at + 2] === 0) return -1;
      if (slots[at] === a && slots[at + 1] === b) return at;
    }
  }

  /** Adds `by` to the count of (a, b); a new pair gets `value`. Returns its slot. */
  add(a: number, b: number, value: number, by = 1): number {
    // Room for one more first, so the probe below never has to start again.
    if (2 * (this.size + 1) > this.mask + 1) this.resize(2 * (this.mask + 1), 0);
    const slots = this.slots;
    const mask = this.mask;
    for (let s = hashPair(a, b) & mask; ; s = (s + 1) & mask) {
      const at = s << 2;
      const count = slots[at + 2];
      if (count === 0) {
        slots[at] = a;
        slots[at + 1] = b;
        slots[at + 2] = by;
        slots[at + 3] = value;
        this.size++;
        return at;
      }
      if (slots[at] === a && slots[at + 1] === b) {
        slots[at + 2] = count + by;
        return at;
      }
    }
  }

  first(slot: number): number {
    return this.slots[slot];
  }
  second(slot: number): number {
    return this.slots[slot + 1];
  }
  count(slot: number): number {
    return this.slots[slot + 2];
  }
  value(slot: number): number {
    return this.slots[slot + 3];
  }

  /** Every pair's slot, in the table's order. */
  slotList(): Int32Array {
    const out = new Int32Array(this.size);
    let n = 0;
    for (let at = 0; at < this.slots.length; at += SLOT)
      if (this.slots[at + 2] !== 0) out[n++] = at;
    return out;
  }

  /** Keeps only the pairs counted more than `threshold` times; returns how many were dropped. */
  keepAbove(threshold: number): number {
    const before = this.size;
    this.resize(this.mask + 1, threshold);
    return before - this.size;
  }

  private resize(slotCount: number, threshold: number): void {
    const old = this.slots;
    this.slots = new Int32Array(slotCount * SLOT);
    this.mask = slotCount - 1;
    this.size = 0;
    const slots = this.slots;
    for (let at = 0; at < old.length; at += SLOT) {
      if (old[at + 2] <= threshold) continue;
      let s = hashPair(old[at], old[at + 1]) & this.mask;
      while (slots[s * SLOT + 2] !== 0) s = (s + 1) & this.mask;
      const to = s * SLOT;
      slots[to] = old[at];
      slots[to + 1] = old[at + 1];
      slots[to + 2] = old[at + 2];
      slots[to + 3] = old[at + 3];
      this.size++;
    }
  }
}

/** The hash of a pair that places it in a table (and in a layer's filter). */
export function hashPair(a: number, b: number): number {
  let h = Math.imul(a, 0x9e3779b1) ^ Math.imul(b + 0x7f4a7c15, 0x85ebca77);
  h = Math.imul(h ^ (h >>> 15), 0xc2b2ae3d);
  return (h ^ (h >>> 13)) >>> 0;
}
