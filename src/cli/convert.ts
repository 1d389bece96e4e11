import { Command, Option } from 'commander';
import {
  FILE_FORMATS,
  formatFromPath,
  LOAD_FORMATS,
  type FileFormat,
  type LoadFormat,
} from '../io/file-format.js';
import { detectFormat, loadVectors } from '../io/load.js';
import { saveVectors } from '../io/save.js';
import { loadNative, saveNative } from '../io/native-format.js';
import { loadProgress, parsePositiveInteger, warningPrinter } from './vectors-args.js';
import { checkDistinctFiles, checkOutput } from './output-path.js';
import { checkModelOutput } from './model-output.js';
import { onStopSignals, SIGNAL_EXIT_CODES } from './signals.js';

const USAGE_NOTES = `
Formats: bin (word2vec binary, as word2vec.c and gensim write it), txt
(word2vec text, also fastText's .vec) and native (word2vec-ts's .w2v, which
also keeps word counts, output weights and training options); glove (GloVe's
text files, without a header line) is read only, and converts to the others
as gensim's glove2word2vec does. Without --from, the input's format comes
from its content and name; without --to, the output's from its name (.w2v
native, .txt/.vec text, otherwise binary).
A native model converted to native keeps everything; converted to another
format, only the words and vectors remain. With --limit, output weights are
left out.

Examples:
  $ w2v convert vectors.bin vectors.txt
  $ w2v convert wiki.en.vec wiki.w2v --limit 200000
  $ w2v convert model.w2v vectors.bin
  $ w2v convert glove.6B.100d.txt glove.6B.100d.bin
`;

interface ConvertCommandOptions {
  from?: LoadFormat;
  to?: FileFormat;
  limit?: number;
  quiet?: boolean;
  force?: boolean;
}

export function registerConvert(program: Command): void {
  program
    .command('convert')
    .summary('convert vectors between the bin, txt (.vec) and native formats, or from GloVe')
    .description('Read vectors in one format and write them in another.')
    .argument('<in>', 'input file')
    .argument('<out>', 'output file (written atomically)')
    .addOption(
      new Option('--from <format>', 'input format (default: from the content and name)').choices([
        ...LOAD_FORMATS,
      ]),
    )
    .addOption(
      new Option('--to <format>', 'output format (default: from the name)').choices([
        ...FILE_FORMATS,
      ]),
    )
    .addOption(
      new Option('--limit <n>', 'convert only the n most frequent words').argParser(
        parsePositiveInteger,
      ),
    )
    .addOption(new Option('-q, --quiet', 'print nothing but errors'))
    .addOption(new Option('--force', 'replace an existing output even if it is not a model file'))
    .showHelpAfterError("(run 'w2v convert --help' for the options)")
    .addHelpText('after', USAGE_NOTES)
    .action(async (input: string, output: string, options: ConvertCommandOptions) => {
      await checkOutput(output, 'output');
      await checkDistinctFiles(
        [{ path: input, name: 'input' }],
        [{ path: output, name: 'output' }],
      );
      await checkModelOutput(output, 'output', options.force === true);
      // The save is atomic: a Ctrl-C leaves the previous output whole, and exiting (not dying by the signal) removes the partial copy.
      const restoreSignals = onStopSignals((signal) => {
        process.stderr.write(`w2v: stopped; ${output} is as it was before\n`);
        process.exit(SIGNAL_EXIT_CODES[signal]);
      });
      try {
        await convert(input, output, options);
      } finally {
        restoreSignals();
      }
    });
}

/** Loads `input` and saves it to `output` in the format asked for. */
async function convert(
  input: string,
  output: string,
  options: ConvertCommandOptions,
): Promise<void> {
  const from = options.from ?? (await detectFormat(input));
  const to = formatFromPath(output, options.to);
  let size: number;
  let dim: number;
  const progress = loadProgress(input, options.quiet);
  if (from === 'native') {
    const model = await loadNative(input, {
      limit: options.limit,
      onWarning: warningPrinter(options.quiet),
      onProgress: progress.onProgress,
    }).finally(progress.stop);
    ({ size, dim } = model.vectors);
    // A checkpoint's progress is left out: the copy is a finished model, which --resume trains on new text.
    if (to === 'native') await saveNative(output, { ...model, training: undefined });
    else await saveVectors(model.vectors, output, { format: to });
  } else {
    const kv = await loadVectors(input, {
      format: from,
      limit: options.limit,
      onWarning: warningPrinter(options.quiet),
      onProgress: progress.onProgress,
    }).finally(progress.stop);
    ({ size, dim } = kv);
    await saveVectors(kv, output, { format: to });
  }
  if (!options.quiet) {
    process.stdout.write(
      `${size.toLocaleString('en-US')} words × ${dim} dimensions: ${input} (${from}) → ${output} (${to})\n`,
    );
  }
}
