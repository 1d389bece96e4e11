import { InputError } from '../errors.js';
import type { KeyedVectors, VectorQuery } from '../vectors/keyed-vectors.js';
import { scoresUnknownWords, subwordAnalogyQuery } from '../subwords/oov-evaluation.js';
import { knownWordsFor, readEvaluationFile } from './known-words.js';
import { evaluationFile } from './standard-sets.js';

export interface AnalogyOptions {
  /** Only the first (most frequent) `restrictVocab` words count as known and as answers. Default 300000. */
  restrictVocab?: number;
  /**
   * Compare words upper-cased; of several case variants of a word, the first
   * (most frequent) one's vector is used. Default true.
   */
  caseInsensitive?: boolean;
  /**
   * Count a question with a word outside the known words as answered
   * wrong instead of skipping it, as gensim's `dummy4unknown`. Default false.
   */
  dummy4unknown?: boolean;
}

/** One question of an analogy file. */
export interface AnalogyQuestion {
  /** 1-based line number in the file. */
  line: number;
  /** a, b, c and the expected d, as the file writes them. */
  words: [string, string, string, string];
  /** The model's answer (as compared: upper-cased unless case-sensitive); absent for a question with an unknown word. */
  predicted?: string;
}

export interface AnalogySectionResult {
  /** The name after ': ' in the section header. */
  section: string;
  correct: number;
  incorrect: number;
  /** The questions answered right, in file order (gensim's `correct` list). */
  right: AnalogyQuestion[];
  /** The questions answered wrong, with `dummy4unknown` those with an unknown word too (gensim's `incorrect` list). */
  wrong: AnalogyQuestion[];
  /** The questions with a word outside the known words: not asked (with `dummy4unknown`, also in `wrong`). */
  skipped: AnalogyQuestion[];
}

export interface AnalogyResult {
  /** Per section, in file order; sections where every question was skipped are included with 0/0. */
  sections: AnalogySectionResult[];
  total: { correct: number; incorrect: number };
  /** total.correct / (total.correct + total.incorrect); 0 when nothing was evaluated (as gensim). */
  accuracy: number;
  /** Questions with a word outside the first `restrictVocab` words: skipped, or with `dummy4unknown` counted as incorrect. */
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
 * four words. `path` may name a set shipped with the package:
 * 'questions-words' (see `datapath`).
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
  path = evaluationFile(path);
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
    question: AnalogyQuestion;
    query: VectorQuery;
  }> = [];
  const lines = text.split('\n');
  // A final newline ends the last line; it does not start an empty one.
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();

  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const lineNumber = i + 1;
    if (line.startsWith(': ')) {
      current = {
        section: line.replace(/^[: ]+/, '').trim(),
        correct: 0,
        incorrect: 0,
        right: [],
        wrong: [],
        skipped: [],
      };
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
    const question: AnalogyQuestion = {
      line: lineNumber,
      words: words as [string, string, string, string],
    };
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
          question,
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
      current.skipped.push(question);
      if (options.dummy4unknown) {
        current.incorrect++;
        current.wrong.push(question);
      }
      continue;
    }
    const vector = kv.meanOfUnitVectors([rowB, rowC], [rowA]);
    pending.push({
      section: current,
      words: folded,
      question,
      query: { vector, topn: 5, restrictVocab, exclude: new Set([rowA, rowB, rowC]) },
    });
  }

  const answers = kv.nearestToVectorBatch(pending.map((question) => question.query));
  pending.forEach(({ section, words: [a, b, c, expected], question }, i) => {
    // gensim keeps the last candidate if all five are case variants of a, b or c.
    let predicted: string | undefined;
    for (const candidate of answers[i]!) {
      predicted = fold(candidate.word);
      if (known.has(predicted) && predicted !== a && predicted !== b && predicted !== c) break;
    }
    if (predicted !== undefined) question.predicted = predicted;
    if (predicted === expected) {
      section.correct++;
      section.right.push(question);
    } else {
      section.incorrect++;
      section.wrong.push(question);
    }
  });
  // With dummy4unknown, the wrong lists hold unknown and answered questions: back to file order.
  for (const section of sections) section.wrong.sort((x, y) => x.line - y.line);

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
