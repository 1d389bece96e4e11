// The n best (score, row) pairs of a query: what a scorer fills for each query, and how 3CosMul keeps its best.
/**
 * Keeps the n best (score, row) pairs in a binary min-heap, so selecting the
 * top n of N candidates costs O(N log n) instead of a full sort. Ties go to
 * the lower row (the more frequent word); NaN scores are never kept.
 */
export class TopN {
  private readonly scores: Float64Array;
  private readonly rows: Int32Array;
  private length = 0;

  /** @param capacity How many pairs it keeps. */
  constructor(readonly capacity: number) {
    this.scores = new Float64Array(capacity);
    this.rows = new Int32Array(capacity);
  }

  /** Whether (score, row) would be kept. Cheap, so callers test this before anything costly. */
  accepts(score: number, row: number): boolean {
    if (score !== score) return false;
    if (this.length < this.capacity) return true;
    const worst = this.scores[0]!;
    return score > worst || (score === worst && row < this.rows[0]!);
  }

  /** Adds a pair that {@link TopN.accepts} approved. */
  push(score: number, row: number): void {
    if (this.length < this.capacity) {
      let i = this.length++;
      // Sift up from the new leaf.
      while (i > 0) {
        const parent = (i - 1) >> 1;
        if (!this.worse(score, row, this.scores[parent]!, this.rows[parent]!)) break;
        this.scores[i] = this.scores[parent]!;
        this.rows[i] = this.rows[parent]!;
        i = parent;
      }
      this.scores[i] = score;
      this.rows[i] = row;
      return;
    }
    // Replace the root (the worst kept) and sift down.
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= this.length) break;
      const right = left + 1;
      let child = left;
      if (
        right < this.length &&
        this.worse(this.scores[right]!, this.rows[right]!, this.scores[left]!, this.rows[left]!)
      ) {
        child = right;
      }
      if (!this.worse(this.scores[child]!, this.rows[child]!, score, row)) break;
      this.scores[i] = this.scores[child]!;
      this.rows[i] = this.rows[child]!;
      i = child;
    }
    this.scores[i] = score;
    this.rows[i] = row;
  }

  /** Kept pairs, best first. */
  sorted(): Array<{ score: number; row: number }> {
    const out: Array<{ score: number; row: number }> = [];
    for (let i = 0; i < this.length; i++) out.push({ score: this.scores[i]!, row: this.rows[i]! });
    return out.sort((x, y) => y.score - x.score || x.row - y.row);
  }

  private worse(scoreA: number, rowA: number, scoreB: number, rowB: number): boolean {
    return scoreA < scoreB || (scoreA === scoreB && rowA > rowB);
  }
}
