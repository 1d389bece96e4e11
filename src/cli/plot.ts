import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import { errorCode, InputError, UsageError, W2vError } from '../errors.js';
import { writeFileAtomically } from '../io/atomic-write.js';
import { checkOutput } from './output-path.js';
import { parseInteger } from './arguments.js';

const USAGE_NOTES = `
The log is the JSON Lines file written by 'w2v train --log'. The chart shows
the loss (left axis) and the learning rate (right axis) against the words
trained, or against time with --x time. The output format follows the
extension of --out: .svg or .png.

Examples:
  $ w2v train -i corpus.txt -o vectors.bin --log train.jsonl
  $ w2v plot train.jsonl --out loss.svg
  $ w2v plot train.jsonl --out loss.png --width 1200 --height 500 --x time
`;

function parseSize(text: string): number {
  const n = parseInteger(text);
  if (n < 100 || n > 8000)
    throw new InvalidArgumentError('Expected a size from 100 to 8000 pixels.');
  return n;
}

interface PlotCommandOptions {
  out: string;
  width: number;
  height: number;
  x: 'words' | 'time';
  title?: string;
  quiet?: boolean;
}

export function registerPlot(program: Command): void {
  program
    .command('plot')
    .summary('draw the loss curve of a training log (SVG or PNG)')
    .description('Draw the loss curve of a w2v train --log file as an SVG or PNG image.')
    .argument('<log>', 'progress log written by w2v train --log')
    .addOption(new Option('-o, --out <file>', 'image to write: .svg or .png').makeOptionMandatory())
    .addOption(new Option('--width <px>', 'image width').argParser(parseSize).default(800))
    .addOption(new Option('--height <px>', 'image height').argParser(parseSize).default(400))
    .addOption(
      new Option('--x <axis>', 'horizontal axis: words trained or time')
        .choices(['words', 'time'])
        .default('words'),
    )
    .addOption(new Option('--title <text>', 'heading (default: "Training loss")'))
    .addOption(new Option('-q, --quiet', 'print nothing but errors'))
    .showHelpAfterError("(run 'w2v plot --help' for the options)")
    .addHelpText('after', USAGE_NOTES)
    .action(runPlot);
}

async function runPlot(log: string, options: PlotCommandOptions): Promise<void> {
  const extension = extname(options.out).toLowerCase();
  if (extension !== '.svg' && extension !== '.png') {
    throw new UsageError(`--out: '${options.out}' must end in .svg or .png`);
  }
  await checkOutput(options.out, '--out');
  if (extension === '.png') await loadResvg(); // before any work: it may not be installed

  let text: string;
  try {
    text = await readFile(log, 'utf8');
  } catch (err) {
    const code = errorCode(err);
    if (code === 'ENOENT') throw new InputError(`log file '${log}' does not exist`);
    if (code === 'EISDIR') throw new InputError(`log file '${log}' is a directory`);
    throw new InputError(`cannot read log file '${log}' (${String(code ?? err)})`);
  }
  const { parseProgressLog } = await import('../io/progress-log.js');
  const { lossChartSvg } = await import('../web/loss-chart.js');
  const records = parseProgressLog(text, log);
  const points = records.filter((r) => r.phase === 'train' && r.loss !== null).length;
  if (points === 0) {
    throw new InputError(
      `'${log}' has no training loss yet (is it a log written by w2v train --log?)`,
    );
  }
  const svg = lossChartSvg(records, {
    width: options.width,
    height: options.height,
    x: options.x,
    title: options.title,
  });

  let bytes: Buffer;
  if (extension === '.svg') {
    bytes = Buffer.from(svg, 'utf8');
  } else {
    const { Resvg } = await loadResvg();
    const resvg = new Resvg(svg, {
      font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans' },
      background: '#ffffff',
    });
    bytes = resvg.render().asPng();
  }
  // A failed run never leaves half an image.
  await writeFileAtomically(options.out, async (handle) => {
    await handle.writeFile(bytes);
  });
  if (!options.quiet) {
    process.stdout.write(
      `${options.out}: ${points} loss points, ${options.width}×${options.height} ${extension.slice(1).toUpperCase()}\n`,
    );
  }
}

/**
 * resvg renders the PNG: an optional dependency (a native module of some
 * megabytes, prebuilt for common platforms), loaded only for PNG output.
 * @throws W2vError saying how to install it, if it is not installed.
 */
async function loadResvg(): Promise<typeof import('@resvg/resvg-js')> {
  try {
    return await import('@resvg/resvg-js');
  } catch (error) {
    if (errorCode(error) !== 'ERR_MODULE_NOT_FOUND') throw error;
    throw new W2vError(
      'PNG output needs the optional package @resvg/resvg-js, which is not installed: ' +
        'install it with npm install @resvg/resvg-js (beside word2vec-ts), or write an SVG (--out loss.svg)',
    );
  }
}
