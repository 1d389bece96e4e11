// Kill trial: sends SIGKILL and SIGINT at random moments while `w2v train`
// saves its output or a checkpoint and while `w2v convert` saves, then checks
// what is left: every output and checkpoint that exists loads whole, a SIGINT
// ends in exit code 130 (of training, with a saved file: the output or a
// checkpoint) and leaves no temporary file. A SIGKILL cannot clean up, so the hidden temporary file of
// the save it cut short may stay; the table shows those, they are no failure.
//
//   node dist/bench/kill-trial.js [kills=30] [interrupts=10] [corpus]
//
// Without a corpus, one with 100,000 distinct words is written to a
// temporary directory, so the 300-dimension model takes a while to save.
// Each save's start is seen as its temporary file appears; the signal follows
// after a random delay within the save's duration in a normal run.
import { spawn } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  statSync,
  watch,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { loadVectors } from '../src/io/load.js';
import { loadNative } from '../src/io/native-format.js';
import { Random } from '../src/sampling/random.js';

const W2V = fileURLToPath(new URL('../src/cli/main.js', import.meta.url));
const DIM = 300;
const TRAIN_FLAGS = [
  '--dim',
  String(DIM),
  '--min-count',
  '1',
  '--window',
  '2',
  '--negative',
  '2',
  '--threads',
  '2',
  '--quiet',
];

type Scenario = 'train-save' | 'checkpoint-save' | 'convert-save';
type StopSignal = 'SIGKILL' | 'SIGINT';

interface Outcome {
  scenario: Scenario;
  signal: StopSignal;
  delayMs: number;
  /** What the process was doing when the signal was sent. */
  phase: string;
  exit: string;
  /** SIGINT: the file that was saved. */
  saved: string;
  /** Temporary files left next to the targets. */
  left: number;
  failures: string[];
}

const { positionals } = parseArgs({ allowPositionals: true });
const kills = Number(positionals[0] ?? 30);
const interrupts = Number(positionals[1] ?? 10);
if (!(Number.isInteger(kills) && kills >= 0 && Number.isInteger(interrupts) && interrupts >= 0)) {
  throw new Error('usage: kill-trial [kills] [interrupts] [corpus]; counts are integers >= 0');
}

const dir = mkdtempSync(join(tmpdir(), 'w2v-kill-trial-'));
const output = join(dir, 'vectors.bin');
const checkpoint = `${output}.checkpoint`;
const previousOutput = join(dir, 'previous.bin');
const converted = join(dir, 'copy.w2v');
const previousConverted = join(dir, 'previous-copy.w2v');

/** Zipf-like text: word i is drawn with weight about 1/i, and each of `words` words occurs at least once. */
function writeCorpus(path: string, words = 100_000, tokens = 900_000): void {
  const random = new Random(1);
  const lines: string[] = [];
  let line: string[] = [];
  for (let t = 0; t < tokens; t++) {
    const word = t < words ? t : Math.floor(Math.pow(words, random.next())) - 1;
    line.push(`w${word}`);
    if (line.length === 20) {
      lines.push(line.join(' '));
      line = [];
    }
  }
  writeFileSync(path, lines.join('\n') + '\n');
}

/** The hidden temporary file the atomic writer uses for `target`: `.NAME.PID.RANDOM.tmp`. */
function temporaryPattern(target: string): RegExp {
  return new RegExp(`^\\.${basename(target).replace(/\./g, '\\.')}\\.\\d+\\.[0-9a-f]{12}\\.tmp$`);
}

function temporariesOf(targets: readonly string[]): string[] {
  const patterns = targets.map(temporaryPattern);
  return readdirSync(dir).filter((name) => patterns.some((pattern) => pattern.test(name)));
}

interface Run {
  /** Resolves when the nth save of `target` begins (its temporary file appears), with the time it did. */
  saveStarted: Promise<number>;
  /** Resolves when that save's temporary file is gone (renamed or removed). */
  saveEnded: Promise<number>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>;
  kill: (signal: StopSignal) => boolean;
}

/** Starts `w2v args`, watching the directory for the nth temporary file of `target`. */
function start(args: readonly string[], target: string, nth: number): Run {
  const pattern = temporaryPattern(target);
  const seen = new Set<string>();
  let onStart = (_ms: number): void => undefined;
  let onEnd = (_ms: number): void => undefined;
  const saveStarted = new Promise<number>((resolve) => (onStart = resolve));
  const saveEnded = new Promise<number>((resolve) => (onEnd = resolve));
  let watched: string | undefined;
  const watcher = watch(dir, (_event, name) => {
    if (name === null || !pattern.test(name)) return;
    const now = performance.now();
    if (existsSync(join(dir, name))) {
      if (!seen.has(name) && (seen.add(name), seen.size === nth)) {
        watched = name;
        onStart(now);
      }
    } else if (name === watched) onEnd(now);
  });
  const child = spawn(process.execPath, [W2V, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<{
    code: number | null;
    signal: NodeJS.Signals | null;
    stderr: string;
  }>((resolve) =>
    child.on('close', (code, signal) => {
      watcher.close();
      onEnd(performance.now()); // if the watcher missed the rename
      resolve({ code, signal, stderr });
    }),
  );
  return {
    saveStarted,
    saveEnded,
    exited,
    kill: (signal) => child.exitCode === null && child.kill(signal),
  };
}

interface ScenarioSetup {
  args: readonly string[];
  /** The file whose save is hit. */
  target: string;
  /** Every file the run may write, each checked if it exists. */
  files: readonly string[];
  /** Saves of `target` in one run; the trial hits one of them at random. */
  saves: number;
  /** Puts the files a run starts from in place. */
  prepare: () => void;
}

function scenarios(corpus: string): Record<Scenario, ScenarioSetup> {
  const train = ['train', '-i', corpus, '-o', output, ...TRAIN_FLAGS];
  const reset = (): void => {
    rmSync(checkpoint, { force: true });
    copyFileSync(previousOutput, output);
  };
  return {
    'train-save': {
      args: [...train, '--epochs', '1'],
      target: output,
      files: [output, checkpoint],
      saves: 1,
      prepare: reset,
    },
    'checkpoint-save': {
      args: [...train, '--epochs', '3', '--checkpoint-every', '0.01'],
      target: checkpoint,
      files: [output, checkpoint],
      saves: 2,
      prepare: reset,
    },
    'convert-save': {
      args: ['convert', previousOutput, converted, '--quiet'],
      target: converted,
      files: [converted],
      saves: 1,
      prepare: () => copyFileSync(previousConverted, converted),
    },
  };
}

/** Loads `path` with the library's loaders; a message if it does not load whole. */
async function loadFailure(path: string, vocabSize: number): Promise<string | undefined> {
  try {
    const isCheckpoint = path === checkpoint;
    const vectors = isCheckpoint ? (await loadNative(path)).vectors : await loadVectors(path);
    if (vectors.size !== vocabSize || vectors.dim !== DIM)
      return `${basename(path)}: ${vectors.size} × ${vectors.dim}, not ${vocabSize} × ${DIM}`;
    if (isCheckpoint && (await loadNative(path)).training === undefined)
      return `${basename(path)}: no training state`;
    return undefined;
  } catch (err) {
    return `${basename(path)}: ${err instanceof Error ? err.message : String(err)}`;
  }
}

async function trial(
  scenario: Scenario,
  setup: ScenarioSetup,
  signal: StopSignal,
  saveMs: number,
  vocabSize: number,
): Promise<Outcome> {
  setup.prepare();
  const before = new Map(setup.files.filter(existsSync).map((path) => [path, statSync(path).ino]));
  const nth = 1 + Math.floor(Math.random() * setup.saves);
  const run = start(setup.args, setup.target, nth);
  const delayMs = Math.random() * saveMs * 1.1;
  const sent = await Promise.race([
    run.saveStarted.then(
      () => new Promise<boolean>((resolve) => setTimeout(() => resolve(true), delayMs)),
    ),
    run.exited.then(() => false),
  ]);
  let phase = 'exited first';
  if (sent) {
    const saving = temporariesOf([setup.target]).length > 0;
    phase = saving ? 'during save' : 'after save';
    if (!run.kill(signal)) phase = 'exited first';
  }
  const { code, signal: killedBy, stderr } = await run.exited;
  const exit = killedBy ?? String(code);
  const failures: string[] = [];
  const left = temporariesOf(setup.files);
  for (const path of setup.files.filter(existsSync)) {
    const failure = await loadFailure(path, vocabSize);
    if (failure) failures.push(failure);
  }
  const replaced = setup.files
    .filter((path) => existsSync(path) && statSync(path).ino !== before.get(path))
    .map((path) => basename(path));
  if (/internal error|^\s+at /m.test(stderr)) failures.push('stack trace on stderr');
  const trainSaved = scenario === 'convert-save' || replaced.length > 0;
  if (phase === 'exited first') {
    if (code !== 0) failures.push(`exit ${exit}`);
  } else if (signal === 'SIGKILL') {
    if (killedBy !== 'SIGKILL' && code !== 0) failures.push(`exit ${exit}, not killed`);
  } else {
    // After its save, a run may end before the signal lands, or be ended by it.
    const late = phase === 'after save' && (code === 0 || killedBy === 'SIGINT');
    if (code !== 130 && !late) failures.push(`exit ${exit}, not 130`);
    if (!trainSaved) failures.push('nothing saved');
    if (left.length > 0) failures.push(`temporary file left: ${left.join(', ')}`);
  }
  for (const name of left) rmSync(join(dir, name), { force: true });
  return {
    scenario,
    signal,
    delayMs,
    phase,
    exit,
    saved: replaced.join(', ') || '-',
    left: left.length,
    failures,
  };
}

/** How long the scenario's save takes in a normal run: the median of three, as disk times vary. */
async function measureSave(setup: ScenarioSetup): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < 3; i++) {
    setup.prepare();
    const run = start(setup.args, setup.target, 1);
    const { code, stderr } = await run.exited;
    if (code !== 0)
      throw new Error(`a normal run of w2v ${setup.args.join(' ')} failed:\n${stderr}`);
    const started = await Promise.race([run.saveStarted, run.exited.then(() => undefined)]);
    if (started === undefined)
      throw new Error(`no save of ${setup.target} was seen in a normal run`);
    times.push((await run.saveEnded) - started);
  }
  return times.sort((a, b) => a - b)[1]!;
}

async function main(): Promise<number> {
  const corpus = positionals[2] ?? join(dir, 'corpus.txt');
  if (positionals[2] === undefined) writeCorpus(corpus);
  // The earlier results that every run starts from: its save must leave them whole or replace them whole.
  const first = start(
    ['train', '-i', corpus, '-o', previousOutput, '--epochs', '1', ...TRAIN_FLAGS],
    previousOutput,
    1,
  );
  if ((await first.exited).code !== 0)
    throw new Error(`training on ${corpus} failed:\n${(await first.exited).stderr}`);
  const vocabSize = (await loadVectors(previousOutput)).size;
  const copy = start(
    ['convert', previousOutput, previousConverted, '--quiet'],
    previousConverted,
    1,
  );
  if ((await copy.exited).code !== 0)
    throw new Error(`w2v convert failed:\n${(await copy.exited).stderr}`);

  const setups = scenarios(corpus);
  const saveMs = new Map<Scenario, number>();
  for (const [scenario, setup] of Object.entries(setups) as Array<[Scenario, ScenarioSetup]>) {
    saveMs.set(scenario, await measureSave(setup));
    console.log(
      `${scenario}: a save takes ${saveMs.get(scenario)!.toFixed(0)} ms in a normal run (median of 3)`,
    );
  }
  console.log(`model: ${vocabSize.toLocaleString('en-US')} words × ${DIM}\n`);

  const all: Scenario[] = ['train-save', 'checkpoint-save', 'convert-save'];
  const plan: Array<[Scenario, StopSignal]> = [
    ...Array.from({ length: kills }, (_, i): [Scenario, StopSignal] => [
      all[i % all.length]!,
      'SIGKILL',
    ]),
    ...Array.from({ length: interrupts }, (_, i): [Scenario, StopSignal] => [
      all[i % all.length]!,
      'SIGINT',
    ]),
  ];
  const header = [
    '#',
    'scenario',
    'signal',
    'delay ms',
    'phase',
    'exit',
    'saved',
    'tmp left',
    'result',
  ];
  const widths = [3, 16, 8, 9, 13, 8, 28, 9];
  const row = (cells: string[]): string =>
    cells.map((cell, i) => (i < widths.length ? cell.padEnd(widths[i]!) : cell)).join(' ');
  console.log(row(header));
  const outcomes: Outcome[] = [];
  for (const [i, [scenario, signal]] of plan.entries()) {
    const o = await trial(scenario, setups[scenario], signal, saveMs.get(scenario)!, vocabSize);
    outcomes.push(o);
    const result = o.failures.length === 0 ? 'ok' : `FAILED: ${o.failures.join('; ')}`;
    console.log(
      row([
        String(i + 1),
        o.scenario,
        o.signal,
        o.delayMs.toFixed(0),
        o.phase,
        o.exit,
        o.saved,
        String(o.left),
        result,
      ]),
    );
  }

  console.log(
    '\nscenario         signal   during save  after save  exited first  tmp left  failed',
  );
  for (const scenario of all) {
    for (const signal of ['SIGKILL', 'SIGINT'] as const) {
      const some = outcomes.filter((o) => o.scenario === scenario && o.signal === signal);
      if (some.length === 0) continue;
      const count = (phase: string): string =>
        String(some.filter((o) => o.phase === phase).length).padEnd(phase.length + 2);
      const left = some.reduce((sum, o) => sum + o.left, 0);
      const failed = some.filter((o) => o.failures.length > 0).length;
      console.log(
        `${scenario.padEnd(16)} ${signal.padEnd(8)} ${count('during save')} ${count('after save')}${count('exited first')}${String(left).padEnd(10)}${failed}`,
      );
    }
  }
  const failed = outcomes.filter((o) => o.failures.length > 0).length;
  console.log(`\n${outcomes.length} trials, ${failed} failed`);
  return failed === 0 ? 0 : 1;
}

try {
  process.exitCode = await main();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
