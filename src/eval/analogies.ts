import { InputError } from '../errors.js';
import type { KeyedVectors, VectorQuery } from '../vectors/keyed-vectors.js';
import { scoresUnknownWords, subwordAnalogyQuery } from '../subwords/oov-evaluation.js';
import { knownWordsFor, readEvaluationFile } from './known-words.js';

export interface AnalogyOptions {
  /** Only the first (most frequent) `restrictVocab` words count as known and as answers. Default 300000. */
  restrictVocab?: number;
  /**
   * Compare words upper-cased; of several case variants of a word, the first
   * (most frequent) one's vector is used. Default true.
   */
  caseInsensitive?: boolean;
}

export interface AnalogySectionResult {
  /** The name after ': ' in the section header. */
  section: string;
  correct: number;
  incorrect: number;
}

export interface AnalogyResult {
  /** Per section, in file order; sections where every question was skipped are included with 0/0. */
  sections: AnalogySectionResult[];
  total: { correct: number; incorrect: number };
  /** total.correct / (total.correct + total.incorrect); 0 when nothing was evaluated (as gensim). */
  accuracy: number;
  /** Questions skipped because a word is outside the first `restrictVocab` words. */
  skipped: number;
  /** Well-formed questions read, evaluated or skipped. */
  questions: number;
  /** 1-based numbers of lines that are neither a section header nor four words (ignored, as gensim does). */
  invalidLines: number[];
}

/**
 * Scores `kv` on a word-analogy file such as questions-words.txt, with
 * exactly the conventions of gensim 4's `KeyedVectors.evaluate_word_analogies`
 * (3CosAdd): for each question `a b c d`, the answer is the first of
 * mostSimilar(positive [b, c], negative [a], topn 5) within the first
 * `restrictVocab` words that is not a, b or c; it is correct if it equals d.
 *
 * The file has sections started by lines `: name`, each followed by lines of
 * four words.
 * @throws InputError if the file cannot be read or a question comes before any section header.
 * @example
 * const result = await evaluateAnalogies(kv, 'questions-words.txt');
 * console.log(`${(100 * result.accuracy).toFixed(1)}%`);
 */
export async function evaluateAnalogies(
  kv: KeyedVectors,
  path: string,
  options: AnalogyOptions = {},
): Promise<AnalogyResult> {
  const { known, fold, restrictVocab } = knownWordsFor(kv, options);
  const text = await readEvaluationFile(path);

  const sections: AnalogySectionResult[] = [];
  let current: AnalogySectionResult | undefined;
  let skipped = 0;
  let questions = 0;
  const invalidLines: number[] = [];
  // Questions whose words are all known, answered together at the end as one batch.
  const pending: Array<{
    section: AnalogySectionResult;
    words: [string, string, string, string];
    query: VectorQuery;
  }> = [];
  const lines = text.split('\n');
  // A final newline ends the last line; it does not start an empty one.
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();

  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const lineNumber = i + 1;
    if (line.startsWith(': ')) {
      current = { section: line.replace(/^[: ]+/, '').trim(), correct: 0, incorrect: 0 };
      sections.push(current);
      continue;
    }
    if (!current) {
      throw new InputError(
        `${path} line ${lineNumber}: expected a section header ': name' before the first question`,
      );
    }
    const words = line.trim().split(/\s+/);
    if (words.length !== 4) {
      invalidLines.push(lineNumber);
      continue;
    }
    questions++;
    const folded = words.map(fold) as [string, string, string, string];
    const [a, b, c, expected] = folded;
    const rowA = known.get(a);
    const rowB = known.get(b);
    const rowC = known.get(c);
    if (
      scoresUnknownWords(kv) &&
      (rowA === undefined || rowB === undefined || rowC === undefined)
    ) {
      // A subword model answers with its words' n-grams; an unknown expected word is never the answer.
      const query = subwordAnalogyQuery(kv, known, fold, words);
      if (query) {
        pending.push({
          section: current,
          words: folded,
          query: { ...query, topn: 5, restrictVocab },
        });
        continue;
      }
    }
    if (
      rowA === undefined ||
      rowB === undefined ||
      rowC === undefined ||
      (!known.has(expected) && !scoresUnknownWords(kv))
    ) {
      skipped++;
      continue;
    }
    const vector = kv.meanOfUnitVectors([rowB, rowC], [rowA]);
    pending.push({
      section: current,
      words: folded,
      query: { vector, topn: 5, restrictVocab, exclude: new Set([rowA, rowB, rowC]) },
    });
  }

  const answers = kv.nearestToVectorBatch(pending.map((question) => question.query));
  pending.forEach(({ section, words: [a, b, c, expected] }, i) => {
    // gensim keeps the last candidate if all five are case variants of a, b or c.
    let predicted: string | undefined;
    for (const candidate of answers[i]!) {
      predicted = fold(candidate.word);
      if (known.has(predicted) && predicted !== a && predicted !== b && predicted !== c) break;
    }
    if (predicted === expected) section.correct++;
    else section.incorrect++;
  });

  const total = { correct: 0, incorrect: 0 };
  for (const section of sections) {
    total.correct += section.correct;
    total.incorrect += section.incorrect;
  }
  const evaluated = total.correct + total.incorrect;
  return {
    sections,
    total,
    accuracy: evaluated === 0 ? 0 : total.correct / evaluated,
    skipped,
    questions,
    invalidLines,
  };
}
