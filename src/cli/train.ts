import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { Command, Option } from 'commander';
import { UsageError, W2vError } from '../errors.js';
import {
  checkCheckpointMinutes,
  OPTION_TABLE,
  resolveOptions,
  type TrainOptions,
} from '../options.js';
import { parseInteger, parseNumber } from './arguments.js';
import { checkCorpusFiles } from '../corpus/reader.js';
import { loadPhrases } from '../phrases/phrase-file.js';
import { FILE_FORMATS, formatFromPath, type FileFormat } from '../io/file-format.js';
import type { TrainProgress, TrainSummary } from '../train/types.js';
import type { Word2Vec } from '../train/model.js';
import { formatCount, formatDuration, ProgressReporter } from './progress.js';
import { formatLoss, LOSS_LABELS } from '../loss-figures.js';
import { checkDistinctFiles, checkOutput, type NamedFile } from './output-path.js';
import { checkModelOutput } from './model-output.js';
import { onStopSignals, SIGNAL_EXIT_CODES, type StopSignal } from './signals.js';

const USAGE_NOTES = `
Input files are plain text or gzip (.gz), one sentence per line, tokens
separated by ASCII white space. -i - reads the corpus from standard input
(plain or gzip) once; so is a named pipe or <(...) read once: the first pass
keeps the corpus, in memory or, past --cache-mib, in a temporary file beside
the output. The output is in the word2vec format that
gensim's KeyedVectors.load_word2vec_format and the original word2vec tools
read, or (.w2v) the native format, which also keeps the output weights,
counts and options.

Ctrl-C (or SIGTERM) stops training after the chunks under way and saves a
checkpoint (--checkpoint, by default <output>.checkpoint); --resume goes on
from it. --resume with a finished .w2v model and new text trains it further.

Examples:
  $ w2v train --input corpus.txt.gz --output vectors.bin
  $ w2v train -i part1.txt part2.txt -o vectors.txt --arch cbow --dim 300 --epochs 10
  $ zcat a.gz b.gz | w2v train -i - -o vectors.bin
  $ w2v train -i corpus.txt.gz -o vectors.bin --checkpoint run.ckpt --checkpoint-every 30
  $ w2v train --resume run.ckpt -i corpus.txt.gz -o vectors.bin
  $ w2v train --resume model.w2v -i new-text.txt -o model2.w2v --epochs 2
`;

/** The --input that stands for standard input. */
const STDIN = '-';

/** The options of `w2v train` that are not training options. */
interface TrainCommandOptions {
  input: string[];
  output: string;
  format: FileFormat;
  log?: string;
  quiet?: boolean;
  checkpoint?: string;
  checkpointEvery?: number;
  resume?: string;
  force?: boolean;
  phrases?: string;
}

export function registerTrain(program: Command): void {
  const command = program
    .command('train')
    .summary('train word vectors on a text corpus')
    .description('Train word2vec embeddings (skip-gram or CBOW) on a text corpus and save them.')
    .usage('--input <file...> --output <file> [options]')
    .addOption(
      new Option(
        '-i, --input <file...>',
        'corpus files (plain text or .gz), or - for standard input; required unless --resume gives them',
      ),
    )
    .addOption(
      new Option('-o, --output <file>', 'where to write the vectors').makeOptionMandatory(),
    );

  // Commander derives attribute names from flags (--cache-mib → cacheMib), so
  // keep each Option to read its value back under the library's key.
  // Shown in --help only; the defaults themselves are applied by resolveOptions.
  const shownDefaults = resolveOptions({ input: ['corpus.txt'] });
  const trainingFlags = OPTION_TABLE.map((spec) => {
    const option = new Option(spec.flag, spec.help);
    if (spec.kind !== 'flag') option.default(shownDefaults[spec.key], spec.defaultText);
    if (spec.kind === 'choice') option.choices(spec.choices);
    if (spec.kind === 'integer') option.argParser(parseInteger);
    if (spec.kind === 'number') option.argParser(parseNumber);
    command.addOption(option);
    return { key: spec.key, option };
  });

  command
    .addOption(
      new Option('--format <format>', 'output format')
        .choices([...FILE_FORMATS])
        .default(
          'bin',
          'from the --output extension: .txt or .vec → txt, .w2v → native, otherwise bin',
        ),
    )
    .addOption(
      new Option(
        '--log <file.jsonl>',
        'write progress records (time, words, learning rate, loss) to a JSON Lines file',
      ),
    )
    .addOption(
      new Option(
        '--checkpoint <file>',
        'where to save the training state (on Ctrl-C and every --checkpoint-every minutes)',
      ).default(undefined, '<output>.checkpoint'),
    )
    .addOption(
      new Option(
        '--checkpoint-every <minutes>',
        'save a checkpoint every n minutes while training',
      ).argParser(parseNumber),
    )
    .addOption(
      new Option(
        '--resume <file>',
        'go on from a checkpoint (same corpus), or train a .w2v model further on new text',
      ),
    )
    .addOption(
      new Option(
        '--phrases <file>',
        'join the phrases of a phrase file (w2v phrases --save) on the fly',
      ),
    )
    .addOption(new Option('-q, --quiet', 'print nothing but errors'))
    .addOption(
      new Option(
        '--force',
        'replace an existing --output or --checkpoint even if it is not a model file',
      ),
    )
    .showHelpAfterError("(run 'w2v train --help' for the options)")
    .addHelpText('after', USAGE_NOTES)
    .action(async (_options: unknown, cmd: Command) => {
      const given = (key: string): boolean => {
        const source = cmd.getOptionValueSource(key);
        return source !== undefined && source !== 'default';
      };
      const opts = cmd.opts<TrainCommandOptions>();

      // Only values the user typed go to train(): resolveOptions owns the
      // defaults, including those that depend on other options (alpha, minAlpha).
      if (opts.phrases !== undefined && opts.resume !== undefined)
        throw new UsageError(
          '--phrases: a resumed run reads its corpus as it was counted, without phrases',
        );
      if (opts.input === undefined && opts.resume === undefined) {
        throw new UsageError(
          "required option '-i, --input <file...>' not specified (or give --resume <checkpoint>)",
        );
      }
      const typed: Record<string, unknown> = opts.input === undefined ? {} : { input: opts.input };
      for (const { key, option } of trainingFlags) {
        if (given(option.attributeName())) typed[key] = cmd.getOptionValue(option.attributeName());
      }
      const every = opts.checkpointEvery;
      checkCheckpointMinutes(every, '--checkpoint-every');
      await runTrain({
        trainOptions: typed as Partial<TrainOptions>,
        output: opts.output,
        format: given('format') ? opts.format : undefined,
        log: opts.log,
        quiet: opts.quiet === true,
        checkpoint: opts.checkpoint ?? `${opts.output}.checkpoint`,
        checkpointEvery: every,
        resume: opts.resume,
        force: opts.force === true,
        phrases: opts.phrases,
      });
    });
}

interface TrainRun {
  /** A phrase file to join on the fly. */
  phrases?: string;
  /** The values the user typed (input may be left to --resume). */
  trainOptions: Partial<TrainOptions>;
  output: string;
  format: FileFormat | undefined;
  /** JSON Lines file for progress records (see progress-log.ts). */
  log: string | undefined;
  quiet: boolean;
  checkpoint: string;
  checkpointEvery: number | undefined;
  resume: string | undefined;
  /** Replace an output that is not a model file. */
  force: boolean;
}

async function runTrain(run: TrainRun): Promise<void> {
  // Every check that can fail runs before training, so a typo does not cost hours.
  // With --resume, the options are checked against the checkpoint's by resume().
  if (run.resume === undefined)
    resolveOptions({ ...run.trainOptions, input: run.trainOptions.input ?? [] }, 'flag');
  await checkOutput(run.output, '--output');
  await checkOutput(run.checkpoint, '--checkpoint');
  if (run.log !== undefined) await checkOutput(run.log, '--log');
  const inputs = run.trainOptions.input === undefined ? [] : [run.trainOptions.input].flat();
  const stdin = inputs.includes(STDIN);
  if (stdin && inputs.length > 1) {
    throw new UsageError(
      '--input: - (standard input) cannot be given with files; give the files alone, or pipe them all: cat a.txt b.txt | w2v train -i - ...',
    );
  }
  const corpusFiles = stdin ? [] : inputs;
  await checkOwnFiles(run, corpusFiles);
  await checkModelOutput(run.output, '--output', run.force);
  await checkModelOutput(run.checkpoint, '--checkpoint', run.force);
  if (corpusFiles.length > 0) await checkCorpusFiles(corpusFiles);
  if (stdin && process.stdin.isTTY && !run.quiet)
    process.stderr.write('w2v: reading the corpus from the terminal; end it with Ctrl-D\n');
  const corpus = stdin
    ? { input: undefined, sentences: process.stdin }
    : run.trainOptions.input === undefined
      ? {}
      : { input: run.trainOptions.input };

  // Loaded here rather than at the top so `w2v --help` and the other commands
  // do not pay for loading the trainer and its WebAssembly.
  const { train } = await import('../train/trainer.js');
  const { resume } = await import('../train/resume.js');
  const { TrainingInterrupted } = await import('../train/checkpoint.js');
  let format = formatFromPath(run.output, run.format);

  const reporter = run.quiet ? undefined : new ProgressReporter();
  const log = run.log === undefined ? undefined : await deferredProgressLog(run.log);
  const onProgress =
    reporter && log
      ? (p: TrainProgress): void => {
          reporter.update(p);
          log.write(p);
        }
      : (reporter?.update ?? log?.write);
  // The first Ctrl-C (or SIGTERM) lets the threads finish their chunks and
  // saves a checkpoint, or lets the final save finish; a second one quits at
  // once: every file is written atomically, so it is then the previous one, whole, or none.
  const stop = new AbortController();
  let saving: string | undefined;
  const restoreSignals = onStopSignals((signal: StopSignal): void => {
    reporter?.stop();
    const file = saving ?? run.checkpoint;
    if (stop.signal.aborted) {
      process.stderr.write(`w2v: stopped at once; ${file} is as it was before\n`);
      process.exit(SIGNAL_EXIT_CODES[signal]);
    }
    process.stderr.write(
      saving === undefined
        ? `w2v: stopping: finishing the chunks under way, then saving ${file} (${signal} again quits at once)\n`
        : `w2v: stopping: training is done, finishing the save of ${file} (${signal} again quits at once)\n`,
    );
    stop.abort(signal);
  });
  // The vocabulary passed every check: training starts, so the log file may be created now.
  const onVocabulary = (): void => log?.open(onWarning);
  const control = {
    onProgress,
    onVocabulary,
    optionNaming: 'flag' as const,
    signal: stop.signal,
    checkpoint: { path: run.checkpoint, everyMinutes: run.checkpointEvery },
    // A corpus read once that outgrows --cache-mib is kept beside the output.
    spillDirectory: dirname(resolve(run.output)),
  };
  const started = performance.now();
  const onWarning = (message: string): void => {
    if (run.quiet) return;
    // On a terminal, clear the progress bar's line first; the bar is redrawn below.
    process.stderr.write(`${process.stderr.isTTY ? '\r\x1b[K' : ''}w2v: warning: ${message}\n`);
  };
  try {
    let model;
    try {
      model = await (run.resume === undefined
        ? train({
            ...(run.trainOptions as TrainOptions),
            ...corpus,
            ...control,
            onWarning,
            phrases: run.phrases === undefined ? undefined : await loadPhrases(run.phrases),
          })
        : resume({ ...run.trainOptions, ...corpus, from: run.resume, ...control, onWarning }));
    } catch (err) {
      throw err instanceof TrainingInterrupted ? interruptedError(err, run) : err;
    } finally {
      reporter?.stop();
      log?.close();
    }
    saving = run.output;
    // A subword model's .bin is fastText's, which keeps its n-grams.
    if (run.format === undefined && format === 'bin' && model.options.subwords) format = 'fasttext';
    await saveOrRescue(model, run, format);
    const wallSeconds = (performance.now() - started) / 1000;
    if (!run.quiet) {
      process.stdout.write(
        formatTrainSummary(model.summary, {
          epochs: model.options.epochs,
          output: run.output,
          format,
          wallSeconds,
          from: run.resume,
        }),
      );
    }
    if (stop.signal.aborted) {
      const signal = stop.signal.reason as StopSignal;
      throw new W2vError(
        `stopped by ${signal} after training had finished: ${run.output} was saved whole`,
        SIGNAL_EXIT_CODES[signal],
      );
    }
  } finally {
    restoreSignals();
  }
}

/** Refuses an --output, --checkpoint or --log that is one of the run's inputs, or one another. */
async function checkOwnFiles(run: TrainRun, corpusFiles: readonly string[]): Promise<void> {
  const corpus: NamedFile[] = corpusFiles.map((path) => ({ path, name: '--input' }));
  const outputs: NamedFile[] = [
    { path: run.output, name: '--output' },
    { path: run.checkpoint, name: '--checkpoint' },
    ...(run.log === undefined ? [] : [{ path: run.log, name: '--log' }]),
  ];
  await checkDistinctFiles(corpus, outputs);
  // A resumed run reads its --resume file in full first: the final save and the
  // checkpoints may replace it, but the log, written from the start, may not.
  if (run.resume !== undefined && run.log !== undefined) {
    await checkDistinctFiles(
      [{ path: run.resume, name: '--resume' }],
      [{ path: run.log, name: '--log' }],
    );
  }
}

/**
 * Saves the trained model to --output. If that fails (a full disk, say), the
 * run is not lost: the whole model goes to the checkpoint path in the native
 * format, or else to the temporary directory, and the error says where.
 */
async function saveOrRescue(model: Word2Vec, run: TrainRun, format: FileFormat): Promise<void> {
  try {
    await model.save(run.output, { format });
    return;
  } catch (err) {
    if (!(err instanceof W2vError)) throw err;
    const places = [
      run.checkpoint,
      join(tmpdir(), `${basename(run.output)}.${process.pid}.rescued.w2v`),
    ];
    const failures: string[] = [];
    for (const place of places) {
      try {
        await model.save(place, { format: 'native' });
      } catch (rescueError) {
        failures.push(rescueError instanceof Error ? rescueError.message : String(rescueError));
        continue;
      }
      throw new W2vError(
        `${err.message}; the trained model was saved whole to ${place} instead (native format): ` +
          `once there is room, ${['w2v', 'convert', place, run.output].map(shellWord).join(' ')} writes ${run.output}`,
      );
    }
    throw new W2vError(
      `${err.message}; the trained model could not be saved elsewhere either (${failures.join('; ')})`,
    );
  }
}

/** The error a stopped run exits with: 130 or 143, and how to go on. */
function interruptedError(
  err: import('../train/checkpoint.js').TrainingInterrupted,
  run: TrainRun,
): W2vError {
  const code = err.reason === 'SIGTERM' ? SIGNAL_EXIT_CODES.SIGTERM : SIGNAL_EXIT_CODES.SIGINT;
  let message = err.message;
  if (err.checkpoint !== undefined) {
    const input =
      run.trainOptions.input === undefined ? [] : ['--input', ...[run.trainOptions.input].flat()];
    const threads =
      run.trainOptions.threads === undefined ? [] : ['--threads', String(run.trainOptions.threads)];
    const command = [
      'w2v',
      'train',
      '--resume',
      err.checkpoint,
      ...input,
      '--output',
      run.output,
      ...threads,
    ]
      .map(shellWord)
      .join(' ');
    message += `\nto resume: ${command}`;
  } else if (run.resume !== undefined) {
    message += `; ${run.resume} is unchanged`;
  }
  return new W2vError(message, code);
}

/** A word as a POSIX shell reads it back: quoted only if it needs to be. */
function shellWord(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, "'\\''")}'`;
}

/**
 * The --log file, created (or emptied) only once training starts: a run that
 * fails on its corpus or options leaves an existing log as it was. Records of
 * the vocabulary phase are held until then. From then on the log never stops
 * training: a log that cannot be written is told once to `onWarning`.
 */
async function deferredProgressLog(path: string): Promise<{
  write: (p: TrainProgress) => void;
  open: (onWarning: (message: string) => void) => void;
  close: () => void;
}> {
  const { ProgressLog } = await import('../io/progress-log.js');
  let held: TrainProgress[] | undefined = [];
  let log: import('../io/progress-log.js').ProgressLog | undefined;
  return {
    write: (p) => (log ? log.write(p) : held?.push(p)),
    open: (onWarning) => {
      log = ProgressLog.open(path, onWarning);
      for (const p of held ?? []) log.write(p);
      held = undefined;
    },
    close: () => log?.close(),
  };
}

export interface SummaryContext {
  epochs: number;
  output: string;
  format: FileFormat;
  /** Whole run including saving; omitted when only the summary's own times are known. */
  wallSeconds?: number;
  /** The checkpoint or model the run went on from. */
  from?: string;
}

/** The report printed after training, also used by the demo. */
export function formatTrainSummary(summary: TrainSummary, context: SummaryContext): string {
  const count = (n: number): string => Math.round(n).toLocaleString('en-US');
  const trainedNote = `${context.epochs} epoch${context.epochs === 1 ? '' : 's'}${
    summary.cachedCorpus && context.epochs > 1 ? ', corpus kept in memory' : ''
  }`;
  const total = context.wallSeconds ?? summary.vocabSeconds + summary.trainSeconds;
  const rows: Array<[string, string]> = [
    ['vocabulary', `${count(summary.vocabSize)} words`],
    ['corpus', `${count(summary.corpusTokens)} tokens`],
    ...(summary.invalidTokens > 0
      ? [
          [
            'skipped',
            `${count(summary.invalidTokens)} tokens that are not UTF-8 text (invalid UTF-8 or control characters)`,
          ] as [string, string],
        ]
      : []),
    ['words trained', `${count(summary.trainedWords)} (${trainedNote})`],
    [
      'time',
      `${formatDuration(total)} (vocabulary ${formatDuration(summary.vocabSeconds)}, ` +
        `training ${formatDuration(summary.trainSeconds)})`,
    ],
    ['speed', `${formatCount(summary.wordsPerSecond)} words/s`],
    [LOSS_LABELS.final, `${formatLoss(summary.finalLoss)} (${LOSS_LABELS.finalNote})`],
    ...(summary.vocabPruning.prunes > 0 ? [prunedRow(summary.vocabPruning)] : []),
    [
      'saved',
      `${context.output} (${context.format === 'native' ? 'native' : context.format === 'fasttext' ? 'fastText bin' : `word2vec ${context.format}`})`,
    ],
  ];
  if (summary.start === 'resume')
    rows.unshift(['resumed', `${context.from ?? 'a checkpoint'} (the interrupted run, finished)`]);
  if (summary.start === 'continue') {
    rows.unshift([
      'trained on',
      `${context.from ?? 'a model'} (${count(summary.addedWords)} new words, fresh learning rate)`,
    ]);
  }
  const width = Math.max(...rows.map(([label]) => label.length));
  return rows.map(([label, value]) => `${label.padEnd(width)}  ${value}`).join('\n') + '\n';
}

/** The summary row of a run whose vocabulary was pruned while counting (counts of rare words are then low). */
function prunedRow(pruning: TrainSummary['vocabPruning']): [string, string] {
  const count = (n: number): string => Math.round(n).toLocaleString('en-US');
  return [
    'pruned',
    `${count(pruning.wordsDropped)} rare words (${count(pruning.occurrencesDropped)} occurrences uncounted) in ` +
      `${pruning.prunes} prune${pruning.prunes === 1 ? '' : 's'} up to count ${pruning.threshold}; raise --max-vocab-memory for exact counts`,
  ];
}
