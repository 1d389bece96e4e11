// How far word2vec-ts's top-n answers agree with a peer's (gensim's
// most_similar) for the same queries.

/** A peer's answer to one query: its top words with their similarities, best first. */
export type PeerAnswer = Array<[string, number]>;

/** Our answer to one query, as `mostSimilar` gives it. */
export type OurAnswer = ReadonlyArray<{ word: string; similarity: number }>;

export interface Agreement {
  /** Queries whose top words are the peer's, in the same order. */
  sameWords: number;
  /** Queries equal up to the order of similarities within `tolerance` (including those above). */
  sameUpToTies: number;
  /** The largest difference between the two tools' similarities at the same position. */
  maxDifference: number;
}

/**
 * Compares answers query by query. Floating-point sums in another order can
 * swap two words whose similarities agree to ~1e-7, so an answer also counts
 * as equal when the similarities agree position by position, every word
 * both tools list has the same similarity in both, and a word only one tool
 * lists ties with the last one.
 */
export function compareAnswers(
  ours: readonly OurAnswer[],
  theirs: readonly PeerAnswer[],
  tolerance = 1e-6,
): Agreement {
  let sameWords = 0;
  let sameUpToTies = 0;
  let maxDifference = 0;
  ours.forEach((mine, i) => {
    const peer = theirs[i]!;
    const words = mine.map((x) => x.word).join(' ') === peer.map(([w]) => w).join(' ');
    if (words) sameWords++;
    mine.forEach((x, j) => {
      if (j < peer.length)
        maxDifference = Math.max(maxDifference, Math.abs(x.similarity - peer[j]![1]));
    });
    const last = mine.length > 0 ? mine[mine.length - 1]!.similarity : 0;
    const peerSimilarity = new Map(peer);
    const myWords = new Set(mine.map((x) => x.word));
    const near = (a: number, b: number): boolean => Math.abs(a - b) < tolerance;
    const tiesOnly =
      mine.length === peer.length &&
      mine.every((x, j) => near(x.similarity, peer[j]![1])) &&
      mine.every((x) => {
        const theirs = peerSimilarity.get(x.word);
        return theirs === undefined ? near(x.similarity, last) : near(x.similarity, theirs);
      }) &&
      peer.every(([w, sim]) => myWords.has(w) || near(sim, last));
    if (words || tiesOnly) sameUpToTies++;
  });
  return { sameWords, sameUpToTies, maxDifference };
}
