/**
 * A scorer over rows split into shards: consecutive ranges of rows, each
 * scored by its own scorer (for the kernel, its own instance and memory), so
 * that a model larger than one WebAssembly memory keeps the kernel and its
 * filter. A score does not depend on the shard that computes it, and each
 * shard keeps the n best of its rows under the same order (score, then the
 * lower row), so merging the shards' heaps gives exactly the top n of all
 * the rows.
 */
import { TopN } from './top-n.js';
import type { Scorer, SelectTopRequest, TileVisitor } from './scorer.js';

/** Rows [offset, offset + size) of the model, and the scorer over them (whose rows start at 0). */
export interface Shard {
  offset: number;
  size: number;
  scorer: Scorer;
}

/**
 * The first row of each shard and its size, for `size` rows in shards of at
 * most `shardRows`: exactly `shardRows` but for the last if `exact`, or as
 * equal as can be.
 */
export function shardRanges(
  size: number,
  shardRows: number,
  exact: boolean,
): Array<{ offset: number; size: number }> {
  const count = Math.max(1, Math.ceil(size / shardRows));
  const rows = exact ? shardRows : Math.ceil(size / count);
  return Array.from({ length: count }, (_, s) => ({
    offset: s * rows,
    size: Math.min(rows, size - s * rows),
  }));
}

/**
 * The ends of the queries within the shard of rows [offset, offset + size),
 * as rows of the shard, up to the last query whose candidates reach into it
 * (ends are non-increasing, so those are the first ones).
 */
function localEnds(ends: ArrayLike<number>, offset: number, size: number): Int32Array {
  let live = 0;
  while (live < ends.length && ends[live]! > offset) live++;
  return Int32Array.from({ length: live }, (_, q) => Math.min(size, ends[q]! - offset));
}

/** The rows of `rows` in [offset, offset + size), as rows of that shard. */
function localRows(rows: ReadonlySet<number>, offset: number, size: number): ReadonlySet<number> {
  const local = new Set<number>();
  for (const row of rows) if (row >= offset && row < offset + size) local.add(row - offset);
  return local;
}

/** Scores rows shard by shard (see the module's comment). */
export class ShardedScorer implements Scorer {
  readonly kind: 'wasm' | 'js';
  threads = 1;

  /** @param shards Consecutive, from row 0, all of one kind. */
  constructor(
    private readonly shards: readonly Shard[],
    private readonly dim: number,
  ) {
    this.kind = shards[0]!.scorer.kind;
  }

  get filtering(): boolean {
    return this.shards.every((shard) => shard.scorer.filtering);
  }

  scan(queries: Float32Array, ends: ArrayLike<number>, visit: TileVisitor): void {
    for (const { offset, size, scorer } of this.shards) {
      const local = localEnds(ends, offset, size);
      if (local.length === 0) return;
      scorer.scan(
        queries.subarray(0, local.length * this.dim),
        local,
        (rowStart, rowEnd, first, count, scores, stride) =>
          visit(rowStart + offset, rowEnd + offset, first, count, scores, stride),
      );
    }
  }

  /**
   * Each shard fills its own heaps, which are then merged. A small batch
   * runs on several threads at once: the shards after the first start on
   * their worker threads while this thread does the first (and any that
   * cannot start).
   */
  selectTop(...[queries, ends, heaps, excludes]: SelectTopRequest): void {
    const work = this.shards.flatMap(({ offset, size, scorer }) => {
      const local = localEnds(ends, offset, size);
      const count = local.length;
      if (count === 0) return [];
      const request: SelectTopRequest = [
        queries.subarray(0, count * this.dim),
        local,
        Array.from({ length: count }, (_, q) => new TopN(Math.min(heaps[q]!.capacity, local[q]!))),
        Array.from({ length: count }, (_, q) => localRows(excludes[q]!, offset, size)),
      ];
      return [{ offset, scorer, request }];
    });
    const started = work.map(({ scorer, request }, s) =>
      s > 0 ? scorer.startSelectTop?.(...request) : undefined,
    );
    this.threads = 1 + started.filter((wait) => wait !== undefined).length;
    try {
      work.forEach(({ scorer, request }, s) => {
        if (started[s]) return;
        scorer.selectTop(...request);
        this.threads = Math.max(this.threads, scorer.threads);
      });
    } finally {
      // A shard's scorer is not to be used again before its thread has finished.
      for (const wait of started) wait?.();
    }
    work.forEach(({ offset, request }) => {
      request[2].forEach((shardHeap, q) => {
        const heap = heaps[q]!;
        for (const { score, row } of shardHeap.sorted())
          if (heap.accepts(score, row + offset)) heap.push(score, row + offset);
      });
    });
  }
}
