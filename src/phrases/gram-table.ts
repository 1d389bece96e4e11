/**
 * Counts of word-id sequences (a pair, or a phrase candidate with connector
 * words inside) in an open-addressing hash table over typed arrays: no
 * object or string per entry, so tens of millions of pairs fit in a few
 * hundred MB. Each entry also carries a value (a phrase's id when the table
 * maps phrases).
 */
const EMPTY = 0;

/** Bytes an entry costs on average: its slot (the table at most half full), hash, key offset and length, count, value, two key ids. */
export const BYTES_PER_GRAM = 2 * 4 + 4 + 4 + 4 + 8 + 4 + 8;

/** What a gram table is made of. */
export interface GramTableParts {
  slots: Int32Array<ArrayBuffer>;
  hashes: Int32Array<ArrayBuffer>;
  offsets: Int32Array<ArrayBuffer>;
  lengths: Int32Array<ArrayBuffer>;
  countsOf: Float64Array<ArrayBuffer>;
  valuesOf: Int32Array<ArrayBuffer>;
  keys: Int32Array<ArrayBuffer>;
  keysUsed: number;
  size: number;
}

export class GramTable {
  private slots = new Int32Array(1 << 12);
  private mask = (1 << 12) - 1;
  private hashes = new Int32Array(1 << 11);
  private offsets = new Int32Array(1 << 11);
  private lengths = new Int32Array(1 << 11);
  private countsOf = new Float64Array(1 << 11);
  private valuesOf = new Int32Array(1 << 11);
  private keys = new Int32Array(1 << 12);
  private keysUsed = 0;
  /** Entries in the table. */
  size = 0;

  /** Bytes held by the table's arrays. */
  get bytes(): number {
    return (
      this.slots.byteLength +
      this.hashes.byteLength +
      this.offsets.byteLength +
      this.lengths.byteLength +
      this.countsOf.byteLength +
      this.valuesOf.byteLength +
      this.keys.byteLength
    );
  }

  /** The table's arrays and sizes, to move it to another thread (transfer their buffers). */
  toParts(): GramTableParts {
    const { slots, hashes, offsets, lengths, countsOf, valuesOf, keys, keysUsed, size } = this;
    return { slots, hashes, offsets, lengths, countsOf, valuesOf, keys, keysUsed, size };
  }

  /** A table over the arrays of `toParts` (not copied). */
  static fromParts(parts: GramTableParts): GramTable {
    const table = new GramTable();
    table.slots = parts.slots;
    table.mask = parts.slots.length - 1;
    table.hashes = parts.hashes;
    table.offsets = parts.offsets;
    table.lengths = parts.lengths;
    table.countsOf = parts.countsOf;
    table.valuesOf = parts.valuesOf;
    table.keys = parts.keys;
    table.keysUsed = parts.keysUsed;
    table.size = parts.size;
    return table;
  }

  /** The entry of ids[from .. from+length), or -1. */
  find(ids: ArrayLike<number>, from: number, length: number): number {
    const h = hashOf(ids, from, length);
    for (let slot = h & this.mask; ; slot = (slot + 1) & this.mask) {
      const e = this.slots[slot] - 1;
      if (e < 0) return -1;
      if (this.hashes[e] === h && this.sameKey(e, ids, from, length)) return e;
    }
  }

  /** Adds `by` to the count of ids[from .. from+length), inserting it (value -1) if new; returns its entry. */
  add(ids: ArrayLike<number>, from: number, length: number, by = 1): number {
    const h = hashOf(ids, from, length);
    let slot = h & this.mask;
    for (; ; slot = (slot + 1) & this.mask) {
      const e = this.slots[slot] - 1;
      if (e < 0) break;
      if (this.hashes[e] === h && this.sameKey(e, ids, from, length)) {
        this.countsOf[e] += by;
        return e;
      }
    }
    if (2 * (this.size + 1) > this.slots.length) {
      this.growSlots();
      return this.add(ids, from, length, by);
    }
    const e = this.size++;
    if (e >= this.hashes.length) this.growEntries();
    if (this.keysUsed + length > this.keys.length) {
      const keys = new Int32Array(Math.max(2 * this.keys.length, this.keysUsed + length));
      keys.set(this.keys.subarray(0, this.keysUsed));
      this.keys = keys;
    }
    for (let i = 0; i < length; i++) this.keys[this.keysUsed + i] = ids[from + i];
    this.hashes[e] = h;
    this.offsets[e] = this.keysUsed;
    this.lengths[e] = length;
    this.countsOf[e] = by;
    this.valuesOf[e] = -1;
    this.keysUsed += length;
    this.slots[slot] = e + 1;
    return e;
  }

  count(entry: number): number {
    return this.countsOf[entry];
  }

  value(entry: number): number {
    return this.valuesOf[entry];
  }

  setValue(entry: number, value: number): void {
    this.valuesOf[entry] = value;
  }

  /** The ids of an entry's key (a view, valid until the table changes). */
  key(entry: number): Int32Array {
    return this.keys.subarray(this.offsets[entry], this.offsets[entry] + this.lengths[entry]);
  }

  /**
   * Keeps only the entries counted more than `threshold` times and those
   * `keep` accepts (in their order), compacting the arrays and rebuilding
   * the slots. Returns the total count of the dropped entries.
   */
  keepAbove(threshold: number, keep?: (key: Int32Array) => boolean): number {
    let kept = 0;
    let used = 0;
    let dropped = 0;
    for (let e = 0; e < this.size; e++) {
      const key = this.key(e);
      if (this.countsOf[e] <= threshold || (keep && !keep(key))) {
        dropped += this.countsOf[e];
        continue;
      }
      this.keys.copyWithin(used, this.offsets[e], this.offsets[e] + this.lengths[e]);
      this.hashes[kept] = this.hashes[e];
      this.offsets[kept] = used;
      this.lengths[kept] = this.lengths[e];
      this.countsOf[kept] = this.countsOf[e];
      this.valuesOf[kept] = this.valuesOf[e];
      used += this.lengths[e];
      kept++;
    }
    this.size = kept;
    this.keysUsed = used;
    this.rebuildSlots(this.slots.length);
    return dropped;
  }

  /** Rewrites every id of every key through `newIds`; an entry with an id mapped below 0 is dropped. */
  renumber(newIds: Int32Array): void {
    for (let i = 0; i < this.keysUsed; i++) this.keys[i] = newIds[this.keys[i]];
    this.keepAbove(-Infinity, (key) => key.every((id) => id >= 0));
    for (let e = 0; e < this.size; e++)
      this.hashes[e] = hashOf(this.keys, this.offsets[e], this.lengths[e]);
    this.rebuildSlots(this.slots.length);
  }

  private sameKey(e: number, ids: ArrayLike<number>, from: number, length: number): boolean {
    if (this.lengths[e] !== length) return false;
    const at = this.offsets[e];
    for (let i = 0; i < length; i++) if (this.keys[at + i] !== ids[from + i]) return false;
    return true;
  }

  private growSlots(): void {
    this.rebuildSlots(this.slots.length * 2);
  }

  private rebuildSlots(length: number): void {
    this.slots = new Int32Array(length);
    this.mask = length - 1;
    for (let e = 0; e < this.size; e++) {
      let slot = this.hashes[e] & this.mask;
      while (this.slots[slot] !== EMPTY) slot = (slot + 1) & this.mask;
      this.slots[slot] = e + 1;
    }
  }

  private growEntries(): void {
    const n = this.hashes.length * 2;
    const grow = <T extends Int32Array | Float64Array>(a: T, make: (n: number) => T): T => {
      const b = make(n);
      b.set(a);
      return b;
    };
    this.hashes = grow(this.hashes, (k) => new Int32Array(k));
    this.offsets = grow(this.offsets, (k) => new Int32Array(k));
    this.lengths = grow(this.lengths, (k) => new Int32Array(k));
    this.countsOf = grow(this.countsOf, (k) => new Float64Array(k));
    this.valuesOf = grow(this.valuesOf, (k) => new Int32Array(k));
  }
}

/** A 32-bit mix of the ids (multiply-xorshift per id, then a final avalanche). */
function hashOf(ids: ArrayLike<number>, from: number, length: number): number {
  let h = 0x9e3779b9 ^ length;
  for (let i = 0; i < length; i++) {
    h = Math.imul(h ^ ids[from + i], 0x85ebca6b);
    h ^= h >>> 13;
  }
  h = Math.imul(h ^ (h >>> 16), 0xc2b2ae35);
  return (h ^ (h >>> 16)) & 0x7fffffff;
}
