import { basename } from 'node:path';
import { Command, Option } from 'commander';
import { UsageError } from '../errors.js';
import { evaluateAnalogies, type AnalogyResult } from '../eval/analogies.js';
import { evaluateWordPairs, type WordPairResult } from '../eval/word-pairs.js';
import {
  addModelOptions,
  loadModel,
  parsePositiveInteger,
  type ModelOptions,
} from './vectors-args.js';

const USAGE_NOTES = `
Scores the vectors with gensim's conventions (evaluate_word_analogies and
evaluate_word_pairs): words are compared upper-cased (the most frequent case
variant stands for a word), and a question or pair with a word outside the
--restrict most frequent words is skipped and counted as out of vocabulary
(with --dummy4unknown, counted as wrong, or as similarity 0).

The standard sets ship with w2v and need no path: --analogies
questions-words (Mikolov et al.'s 19,544 questions) and --pairs wordsim353.
--json also lists every question: right, wrong and skipped (with the
model's answer), and every pair with the model's similarity.

Analogy files have sections started by ": name" lines, then lines "a b c d"
(a is to b as c is to d), as questions-words.txt. Word-pair files have lines
"word1<TAB>word2<TAB>score"; lines starting with # are comments.

Examples:
  $ w2v eval vectors.bin --analogies questions-words --pairs wordsim353
  $ w2v eval vectors.bin --analogies my-questions.txt --restrict 30000 --json
  $ w2v eval vectors.bin --analogies questions-words --dummy4unknown
`;

interface EvalCommandOptions extends ModelOptions {
  analogies?: string;
  pairs?: string;
  restrict: number;
  caseSensitive?: boolean;
  dummy4unknown?: boolean;
  delimiter: string;
  json?: boolean;
}

export function registerEval(program: Command): void {
  const command = program
    .command('eval')
    .summary('score vectors on analogies and word-pair similarity')
    .description('Evaluate word vectors on an analogy set and/or a word-pair similarity set.')
    .argument('<model>', 'vectors: word2vec .bin, .txt or fastText .vec, or a native .w2v model')
    .addOption(
      new Option(
        '--analogies <file>',
        "analogy questions: a file, or 'questions-words' (shipped with w2v)",
      ),
    )
    .addOption(
      new Option(
        '--pairs <file>',
        "word pairs with human similarity scores: a file, or 'wordsim353' (shipped with w2v)",
      ),
    )
    .addOption(
      new Option('--restrict <n>', 'only the n most frequent words count as known and as answers')
        .argParser(parsePositiveInteger)
        .default(300000),
    )
    .addOption(new Option('--case-sensitive', 'compare words as they are instead of upper-cased'))
    .addOption(
      new Option(
        '--dummy4unknown',
        "count questions with unknown words as wrong, and pairs as similarity 0 (gensim's dummy4unknown)",
      ),
    )
    .addOption(
      new Option('--delimiter <text>', 'separator of the word-pair file').default('\t', 'tab'),
    );
  addModelOptions(command)
    .addOption(new Option('--json', 'print the results as JSON'))
    .showHelpAfterError("(run 'w2v eval --help' for the options)")
    .addHelpText('after', USAGE_NOTES)
    .action(async (model: string, options: EvalCommandOptions) => {
      if (!options.analogies && !options.pairs) {
        throw new UsageError(
          'nothing to evaluate: give --analogies <file>, --pairs <file> or both',
        );
      }
      const kv = await loadModel(model, options);
      const common = {
        restrictVocab: options.restrict,
        caseInsensitive: options.caseSensitive !== true,
        dummy4unknown: options.dummy4unknown === true,
      };
      const analogies = options.analogies
        ? await evaluateAnalogies(kv, options.analogies, common)
        : undefined;
      const pairs = options.pairs
        ? await evaluateWordPairs(kv, options.pairs, { ...common, delimiter: options.delimiter })
        : undefined;
      if (options.json) {
        const report = {
          model,
          words: kv.size,
          dim: kv.dim,
          restrictVocab: options.restrict,
          caseInsensitive: common.caseInsensitive,
          dummy4unknown: common.dummy4unknown,
          ...(analogies && options.analogies
            ? { analogies: { file: options.analogies, ...analogies } }
            : {}),
          ...(pairs && options.pairs ? { pairs: { file: options.pairs, ...pairs } } : {}),
        };
        process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
        return;
      }
      const parts: string[] = [];
      if (analogies && options.analogies)
        parts.push(formatAnalogies(analogies, options.analogies, options.restrict));
      if (pairs && options.pairs) parts.push(formatPairs(pairs, options.pairs, options.restrict));
      process.stdout.write(parts.join('\n'));
    });
}

const count = (n: number): string => n.toLocaleString('en-US');
const percent = (fraction: number): string =>
  Number.isFinite(fraction) ? `${(100 * fraction).toFixed(1)}%` : 'n/a';

/** A per-section table (correct, evaluated, accuracy), the total and the out-of-vocabulary count. */
export function formatAnalogies(result: AnalogyResult, file: string, restrict: number): string {
  const rows: Array<[string, string, string, string]> = [
    ['section', 'correct', 'total', 'accuracy'],
  ];
  for (const section of [...result.sections, { section: 'total', ...result.total }]) {
    const evaluated = section.correct + section.incorrect;
    rows.push([
      section.section,
      count(section.correct),
      count(evaluated),
      evaluated === 0 ? '-' : percent(section.correct / evaluated),
    ]);
  }
  const width = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  const lines = rows.map((row, i) => {
    const line = `${row[0].padEnd(width[0]!)}  ${row[1].padStart(width[1]!)}  ${row[2].padStart(width[2]!)}  ${row[3].padStart(width[3]!)}`;
    return i === rows.length - 1 ? `${'-'.repeat(line.length)}\n${line}` : line;
  });
  const skippedShare = result.questions === 0 ? 0 : result.skipped / result.questions;
  const counted = result.sections.some((s) => s.skipped.some((q) => s.wrong.includes(q)));
  return (
    `analogies: ${basename(file)} (${count(result.questions)} questions, the ${count(restrict)} most frequent words)\n` +
    `${lines.join('\n')}\n` +
    `out of vocabulary: ${count(result.skipped)} of ${count(result.questions)} questions (${percent(skippedShare)})` +
    `${counted ? ', counted as wrong' : ''}\n` +
    (result.invalidLines.length > 0
      ? `ignored ${count(result.invalidLines.length)} malformed lines\n`
      : '')
  );
}

/** Pearson, Spearman and the out-of-vocabulary share of a word-pair evaluation. */
export function formatPairs(result: WordPairResult, file: string, restrict: number): string {
  // With dummy4unknown the unknown pairs are among those scored.
  const total =
    result.scored.length + result.unknown.filter((p) => p.similarity === undefined).length;
  return (
    `word pairs: ${basename(file)} (${count(total)} pairs, the ${count(restrict)} most frequent words)\n` +
    `pearson            ${result.pearson.toFixed(4)}\n` +
    `spearman           ${result.spearman.toFixed(4)}\n` +
    `out of vocabulary  ${percent(result.oovRatio)} (${count(result.skipped)} of ${count(total)} pairs)` +
    `${result.unknown.some((p) => p.similarity !== undefined) ? ', scored as similarity 0' : ''}\n` +
    (result.invalidLines.length > 0
      ? `ignored ${count(result.invalidLines.length)} malformed lines\n`
      : '')
  );
}
