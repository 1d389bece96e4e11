// Training from sentences against training from the file that holds them:
// the corpus as an in-memory array of token arrays (library), and piped to
// `w2v train -i -` on standard input (command line), each against the same
// corpus read from its file in the same way, in the same run. Each run is
// its own process, so its peak memory is its own.
//
//   npm run bench:sentences -- [--corpus FILE] [--threads 2] [--epochs 1]
import { spawnSync } from 'node:child_process';
import { closeSync, createReadStream, mkdtempSync, openSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createGunzip } from 'node:zlib';
import { train } from '../src/train/trainer.js';

const { values } = parseArgs({
  options: {
    corpus: { type: 'string' },
    threads: { type: 'string', default: '2' },
    epochs: { type: 'string', default: '1' },
    run: { type: 'string' }, // in a child: 'file' or 'array'
  },
});
const corpus =
  values.corpus ??
  process.env['W2V_CORPUS'] ??
  fileURLToPath(new URL('../../../shared/data/wiki17m.txt.gz', import.meta.url));
const settings = {
  arch: 'sg' as const,
  loss: 'ns' as const,
  dim: 100,
  window: 5,
  negative: 5,
  sample: 1e-3,
  minCount: 5,
  epochs: Number(values.epochs),
  threads: Number(values.threads),
};
const MAIN = fileURLToPath(new URL('../src/cli/main.js', import.meta.url));
const SELF = fileURLToPath(import.meta.url);
const mib = (bytes: number): number => bytes / 2 ** 20;

/** A library run in this process: prints one JSON line. */
async function libraryRun(mode: string): Promise<void> {
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const startRss = mib(process.memoryUsage().rss);
  let heldRss = startRss;
  let sentences: string[][] | undefined;
  if (mode === 'array') {
    sentences = [];
    const lines = createInterface({ input: createReadStream(corpus).pipe(createGunzip()) });
    for await (const line of lines) {
      const tokens = line.split(/[ \t\r]+/);
      if (tokens[0] === '') tokens.shift();
      if (tokens.at(-1) === '') tokens.pop();
      sentences.push(tokens);
    }
    gc?.();
    heldRss = mib(process.memoryUsage().rss);
  }
  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  const model = await train(
    sentences ? { ...settings, sentences } : { ...settings, input: corpus },
  );
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  console.log(
    JSON.stringify({
      seconds,
      cpuSeconds: (cpu.user + cpu.system) / 1e6,
      words: model.summary.trainedWords,
      startRss,
      heldRss,
      peakRss: process.resourceUsage().maxRSS / 1024,
      sentences: sentences?.length ?? 0,
    }),
  );
}

interface Measured {
  seconds: number;
  /** CPU time of all threads (user and system): less moved by other load on the machine than the wall time. */
  cpuSeconds: number;
  words: number;
  peakRss: number;
  startRss: number;
  heldRss: number;
  sentences?: number;
}

function library(mode: string): Measured {
  const result = spawnSync(
    process.execPath,
    [
      '--expose-gc',
      SELF,
      '--run',
      mode,
      '--corpus',
      corpus,
      '--threads',
      values.threads!,
      '--epochs',
      values.epochs!,
    ],
    {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
      maxBuffer: 1 << 24,
    },
  );
  if (result.status !== 0) throw new Error(`the ${mode} run failed (exit ${result.status})`);
  return JSON.parse(result.stdout.trim().split('\n').at(-1)!) as Measured;
}

/** `w2v train` on the file, or with the file's bytes on standard input; wall and CPU time from outside. */
function command(stdin: boolean, output: string): Measured {
  const flags = ['train', '-o', output, '--threads', values.threads!, '--epochs', values.epochs!];
  const args = [MAIN, ...flags, '-q', '-i', stdin ? '-' : corpus];
  // As the shell gives a file to `w2v train -i - < file`.
  const fd = stdin ? openSync(corpus, 'r') : undefined;
  try {
    const started = performance.now();
    const result = spawnSync(
      '/usr/bin/time',
      ['-f', 'MAXRSS %M CPU %U %S', process.execPath, ...args],
      { stdio: [fd ?? 'ignore', 'ignore', 'pipe'], encoding: 'utf8' },
    );
    const seconds = (performance.now() - started) / 1000;
    if (result.status !== 0)
      throw new Error(`w2v ${args.slice(1).join(' ')} failed: ${result.stderr}`);
    const measured = /MAXRSS (\d+) CPU ([\d.]+) ([\d.]+)/.exec(result.stderr);
    if (!measured) throw new Error(`GNU time reported nothing: ${result.stderr}`);
    return {
      seconds,
      cpuSeconds: Number(measured[2]) + Number(measured[3]),
      words: NaN,
      peakRss: Number(measured[1]) / 1024,
      startRss: NaN,
      heldRss: NaN,
    };
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

if (values.run) {
  await libraryRun(values.run);
} else {
  const scratch = mkdtempSync(join(tmpdir(), 'w2v-bench-sentences-'));
  try {
    console.error(
      `corpus ${corpus}, sg-ns, ${settings.epochs} epoch(s), ${settings.threads} threads`,
    );
    const file = library('file');
    console.error(`library, file: ${file.seconds.toFixed(1)} s`);
    const array = library('array');
    console.error(`library, array of token arrays: ${array.seconds.toFixed(1)} s`);
    const cliFile = command(false, join(scratch, 'file.bin'));
    console.error(`w2v train -i file: ${cliFile.seconds.toFixed(1)} s`);
    const cliStdin = command(true, join(scratch, 'stdin.bin'));
    console.error(`w2v train -i -: ${cliStdin.seconds.toFixed(1)} s`);
    const words = file.words;
    const rate = (m: Measured): number => words / m.seconds;
    const row = (what: string, m: Measured, against: Measured): string =>
      `| ${what} | ${Math.round(rate(m)).toLocaleString('en-US')} | ${m.seconds.toFixed(1)} | ${(rate(m) / rate(against)).toFixed(3)} | ` +
      `${m.cpuSeconds.toFixed(1)} | ${(against.cpuSeconds / m.cpuSeconds).toFixed(3)} | ${Math.round(m.peakRss)} |`;
    const fileUse = file.peakRss - file.startRss;
    const arrayUse = array.peakRss - array.heldRss;
    console.log(
      '| corpus given as | words/s | wall s | words/s vs its file | CPU s | CPU vs its file | peak MB |',
    );
    console.log('|---|---|---|---|---|---|---|');
    console.log(row('file (library)', file, file));
    console.log(row('array of token arrays (library)', array, file));
    console.log(row('file (`w2v train -i`)', cliFile, cliFile));
    console.log(row('standard input (`w2v train -i -`)', cliStdin, cliFile));
    console.log('');
    console.log(
      `array path: ${(array.sentences ?? 0).toLocaleString('en-US')} sentences held in ${Math.round(array.heldRss - array.startRss)} MB; ` +
        `training took ${Math.round(arrayUse)} MB beyond that, the file path ${Math.round(fileUse)} MB beyond its start ` +
        `(${arrayUse <= fileUse ? 'within' : 'over'} it)`,
    );
    console.log(
      `acceptance: array ${(rate(array) / rate(file)).toFixed(3)}x the file (>= 0.8), standard input ${(rate(cliStdin) / rate(cliFile)).toFixed(3)}x (>= 0.95)`,
    );
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
