import { writeFileSync } from 'node:fs';
import { Random } from '../src/sampling/random.js';
import type { KeyedVectors } from '../src/vectors/keyed-vectors.js';

/**
 * A corpus with planted structure: words belong to topics, and every sentence
 * draws its words from one topic (plus a few words common to all topics).
 * A working trainer must put each word's nearest neighbours in its own topic.
 */
export interface PlantedCorpus {
  path: string;
  topicOf: Map<string, number>;
  topics: string[][];
}

export function writePlantedCorpus(
  path: string,
  { topics = 10, wordsPerTopic = 8, sentences = 3000, length = 10, seed = 1 } = {},
): PlantedCorpus {
  const random = new Random(seed);
  const pick = <T>(items: T[]): T => items[Math.floor(random.next() * items.length)];
  const names = Array.from({ length: topics }, (_, t) =>
    Array.from({ length: wordsPerTopic }, (_, w) => `topic${t}word${w}`),
  );
  const common = ['the', 'of', 'and', 'a'];
  const lines: string[] = [];
  for (let s = 0; s < sentences; s++) {
    const topic = pick(names);
    lines.push(
      Array.from({ length }, () => (random.next() < 0.2 ? pick(common) : pick(topic))).join(' '),
    );
  }
  writeFileSync(path, lines.join('\n') + '\n');
  const topicOf = new Map<string, number>();
  names.forEach((words, t) => words.forEach((w) => topicOf.set(w, t)));
  return { path, topicOf, topics: names };
}

/** Share of topic words whose 5 nearest neighbours are all in their own topic: 1 for a model that learned the topics. */
export function plantedRecovery(corpus: PlantedCorpus, vectors: KeyedVectors): number {
  let good = 0;
  for (const [word, topic] of corpus.topicOf) {
    const neighbours = vectors.mostSimilar({ positive: [word], topn: 5 });
    if (neighbours.every((n) => corpus.topicOf.get(n.word) === topic)) good++;
  }
  return good / corpus.topicOf.size;
}
