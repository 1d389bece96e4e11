/**
 * The row of each word, in an open-addressing hash table of row numbers
 * over the word list: one Int32Array sized once from the word count, so a
 * model of millions of words is indexed without a Map's growth and per-entry
 * objects (several times faster to build, and smaller).
 */

/** What KeyedVectors asks of an index (a Map<string, number> has it too). */
export interface WordLookup {
  get(word: string): number | undefined;
  has(word: string): boolean;
  readonly size: number;
}

const EMPTY = -1;

/** FNV-1a over the UTF-16 code units. */
function hashOf(word: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < word.length; i++) hash = Math.imul(hash ^ word.charCodeAt(i), 0x01000193);
  return hash;
}

export class WordTable implements WordLookup {
  private readonly slots: Int32Array;
  private readonly mask: number;
  private count = 0;

  /**
   * @param words The list rows refer to; {@link add} is given rows of it.
   * @param capacity The most words the table will hold (it stays under half full).
   */
  constructor(
    private readonly words: readonly string[],
    capacity: number,
  ) {
    let slots = 16;
    while (slots < 2 * capacity) slots *= 2;
    this.slots = new Int32Array(slots).fill(EMPTY);
    this.mask = slots - 1;
  }

  get size(): number {
    return this.count;
  }

  /**
   * Indexes `words[row]` unless that word is indexed already; the row it
   * has then, else -1.
   */
  add(row: number): number {
    const word = this.words[row]!;
    const at = this.slotOf(word);
    const found = this.slots[at]!;
    if (found !== EMPTY) return found;
    if (this.count * 2 >= this.slots.length) throw new RangeError('word table is full');
    this.slots[at] = row;
    this.count++;
    return -1;
  }

  get(word: string): number | undefined {
    const row = this.slots[this.slotOf(word)]!;
    return row === EMPTY ? undefined : row;
  }

  has(word: string): boolean {
    return this.slots[this.slotOf(word)] !== EMPTY;
  }

  /** The slot holding `word`, or the empty slot where it would go. */
  private slotOf(word: string): number {
    const { slots, mask, words } = this;
    let at = hashOf(word) & mask;
    for (;;) {
      const row = slots[at]!;
      if (row === EMPTY || words[row] === word) return at;
      at = (at + 1) & mask;
    }
  }
}
