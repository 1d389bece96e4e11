// Chunks: the runs of whole sentences, as word ids, that the training threads
// take one at a time, and how they are gathered.

/** Marks the end of a sentence in an encoded corpus. */
export const SENTENCE_END = -1;
/** In the first pass's cache: a word dropped while counting (see VocabPruning), which no vocabulary holds. */
export const PRUNED_WORD = -2;

/**
 * A run of whole sentences as word indices, each sentence followed by
 * SENTENCE_END: as int32, or (from the in-memory cache) varint-coded bytes
 * (see encodeCached), which decodeVarints turns back into int32.
 */
export interface Chunk {
  ids: Int32Array | Uint8Array;
  /** Words in the chunk (entries that are not SENTENCE_END). */
  words: number;
}

/** The largest chunk chunksOf or streamChunks can produce for a given target and sentence length. */
export function chunkCapacity(target: number, maxSentenceLength: number): number {
  return target + maxSentenceLength + 1;
}

/**
 * Gathers runs of word ids (SENTENCE_END after each sentence) into chunks
 * of whole sentences of about `target` entries, leaving out sentences that
 * unknown words left empty, as encodeCached does.
 */
export class ChunkBuilder {
  private readonly capacity: number;
  private ids: Int32Array;
  private length = 0;
  private words = 0;
  /** Chunks completed, for the caller to take. */
  readonly ready: Chunk[] = [];

  constructor(
    private readonly target: number,
    maxSentenceLength: number,
  ) {
    this.capacity = chunkCapacity(target, maxSentenceLength);
    this.ids = new Int32Array(this.capacity);
  }

  /** Adds ids; negative ones other than SENTENCE_END (unknown or pruned words), and those from `end` on, are left out. */
  add(run: Int32Array, end = Infinity): void {
    for (let i = 0; i < run.length; i++) {
      const id = run[i]!;
      if (id >= end) continue;
      if (id >= 0) {
        this.ids[this.length++] = id;
        this.words++;
      } else if (
        id === SENTENCE_END &&
        this.length > 0 &&
        this.ids[this.length - 1] !== SENTENCE_END
      ) {
        this.ids[this.length++] = SENTENCE_END;
        if (this.length >= this.target) {
          this.ready.push({ ids: this.ids.subarray(0, this.length), words: this.words });
          // Each chunk gets a fresh buffer: the consumer may transfer (detach) the last one.
          this.ids = new Int32Array(this.capacity);
          this.length = 0;
          this.words = 0;
        }
      }
    }
  }

  /** The last chunk, shorter than the others, if any. */
  rest(): Chunk | undefined {
    return this.length > 0
      ? { ids: this.ids.subarray(0, this.length), words: this.words }
      : undefined;
  }
}
