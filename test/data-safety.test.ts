/**
 * What `w2v train` and `w2v convert` must never do to the files a user has:
 * replace a device or the corpus, change a replaced file's permissions, lose
 * a finished run to a failed save or a Ctrl-C, or report a diverged run as a
 * success.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  existsSync,
  linkSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { loadVectors } from '../src/io/load.js';
import { loadNative } from '../src/io/native-format.js';
import { train } from '../src/train/trainer.js';
import { TrainingDiverged } from '../src/train/checkpoint.js';
import { startW2v, w2v, type CliResult } from './cli-runner.js';
import { writePlantedCorpus } from './planted-corpus.js';

const dir = mkdtempSync(join(tmpdir(), 'w2v-data-safety-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const corpus = join(dir, 'planted.txt');
writePlantedCorpus(corpus);
const QUICK = ['--epochs', '1', '--dim', '10', '--min-count', '1', '--threads', '1', '-q'];
const isRoot = process.getuid?.() === 0;

/** A model file to convert from, trained once. */
const base = join(dir, 'base.bin');
let baseMade: Promise<CliResult> | undefined;
function baseModel(): Promise<CliResult> {
  return (baseMade ??= w2v(['train', '-i', corpus, '-o', base, ...QUICK]));
}

function makeNode(path: string, minor: number): boolean {
  try {
    execFileSync('mknod', ['-m', '666', path, 'c', '1', String(minor)], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

test(
  'an output, checkpoint or log that is a character device or a FIFO is refused and left as it is',
  { skip: !isRoot && 'mknod needs root' },
  async () => {
    const devices = join(dir, 'devices');
    mkdirSync(devices);
    assert.ok(makeNode(join(devices, 'null'), 3), 'mknod c 1 3');
    assert.ok(makeNode(join(devices, 'full'), 7), 'mknod c 1 7');
    execFileSync('mkfifo', [join(devices, 'fifo')]);
    await baseModel();
    const cases: Array<{ args: string[]; flag: string; file: string }> = [
      {
        args: ['train', '-i', corpus, '-o', join(devices, 'null'), ...QUICK],
        flag: '--output',
        file: 'null',
      },
      {
        args: [
          'train',
          '-i',
          corpus,
          '-o',
          join(dir, 'x.bin'),
          '--checkpoint',
          join(devices, 'null'),
          ...QUICK,
        ],
        flag: '--checkpoint',
        file: 'null',
      },
      {
        args: [
          'train',
          '-i',
          corpus,
          '-o',
          join(dir, 'x.bin'),
          '--log',
          join(devices, 'fifo'),
          ...QUICK,
        ],
        flag: '--log',
        file: 'fifo',
      },
      {
        args: ['convert', base, join(devices, 'full'), '--to', 'txt'],
        flag: 'output',
        file: 'full',
      },
    ];
    for (const { args, flag, file } of cases) {
      const result = await w2v(args, { timeoutMs: 20_000 });
      assert.equal(result.status, 2, `${args.join(' ')}: ${result.stderr}`);
      assert.match(
        result.stderr,
        new RegExp(`^w2v: ${flag}: '.*${file}' is (a character device|a named pipe)`),
        result.stderr,
      );
    }
    assert.ok(statSync(join(devices, 'null')).isCharacterDevice());
    assert.ok(statSync(join(devices, 'full')).isCharacterDevice());
    assert.ok(statSync(join(devices, 'fifo')).isFIFO());
    assert.equal(existsSync(join(dir, 'x.bin')), false);
  },
);

test('an output that is a symbolic link is saved through the link: the link stays, its target gets the model', async () => {
  await baseModel();
  const target = join(dir, 'link-target.txt');
  writeFileSync(target, '1 2\nold 0.5 0.25\n'); // an earlier model: w2v writes only over models
  const link = join(dir, 'link.txt');
  symlinkSync('link-target.txt', link);
  const dangling = join(dir, 'dangling.txt');
  symlinkSync('dangling-target.txt', dangling);
  for (const [output, real] of [
    [link, target],
    [dangling, join(dir, 'dangling-target.txt')],
  ]) {
    const result = await w2v(['convert', base, output]);
    assert.equal(result.status, 0, result.stderr);
    assert.ok(lstatSync(output).isSymbolicLink(), `${output} is still a link`);
    assert.ok(lstatSync(real).isFile(), `${real} is a regular file`);
    assert.equal((await loadVectors(real)).size, (await loadVectors(base)).size);
  }
});

test('an output, log or checkpoint that is the corpus (by another name or a hard link) is refused before anything is read', async () => {
  const input = join(dir, 'in.txt');
  writeFileSync(input, readFileSync(corpus));
  const hardLink = join(dir, 'in-hard-link.txt');
  linkSync(input, hardLink);
  const before = readFileSync(input);
  const cases: string[][] = [
    ['-o', input],
    ['-o', join(dir, '.', 'in.txt')],
    ['-o', join(dir, 'o.bin'), '--log', hardLink],
    ['-o', join(dir, 'o.bin'), '--checkpoint', input],
  ];
  for (const extra of cases) {
    const result = await w2v(['train', '-i', input, ...extra, ...QUICK]);
    assert.equal(result.status, 2, result.stderr);
    assert.match(
      result.stderr,
      /^w2v: --(output|log|checkpoint) and --input both name .*in(-hard-link)?\.txt.*: writing --\w+ would destroy the --input file/,
      result.stderr,
    );
  }
  const twoOutputs = await w2v([
    'train',
    '-i',
    input,
    '-o',
    join(dir, 'o.bin'),
    '--log',
    join(dir, 'o.bin'),
    ...QUICK,
  ]);
  assert.equal(twoOutputs.status, 2);
  assert.match(twoOutputs.stderr, /--output and --log both name .*o\.bin.*give each its own file/);
  assert.deepEqual(readFileSync(input), before);
  assert.equal(existsSync(join(dir, 'o.bin')), false);

  await baseModel();
  const copy = join(dir, 'same.bin');
  writeFileSync(copy, readFileSync(base));
  const result = await w2v(['convert', copy, join(dir, '.', 'same.bin'), '--limit', '3']);
  assert.equal(result.status, 2, result.stderr);
  assert.match(result.stderr, /output and input both name/);
  assert.deepEqual(readFileSync(copy), readFileSync(base));
});

test('a save that replaces a file keeps its permissions and owner', async () => {
  await baseModel();
  const kept = join(dir, 'private.bin');
  writeFileSync(kept, '1 2\nold 0.5 0.25\n'); // an earlier model: w2v writes only over models
  chmodSync(kept, 0o600);
  if (isRoot) chownSync(kept, 1234, 2345);
  const result = await w2v(['convert', base, kept]);
  assert.equal(result.status, 0, result.stderr);
  const info = statSync(kept);
  assert.equal(info.mode & 0o777, 0o600);
  if (isRoot) assert.deepEqual([info.uid, info.gid], [1234, 2345]);
  assert.equal((await loadVectors(kept)).size, (await loadVectors(base)).size);
});

/** A small tmpfs that is full but for a few KiB; undefined where mounting is not allowed. */
function fullDisk(name: string): string | undefined {
  if (!isRoot) return undefined;
  const mount = join(dir, name);
  mkdirSync(mount);
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=2m', 'tmpfs', mount], { stdio: 'ignore' });
  } catch {
    return undefined;
  }
  after(() => execFileSync('umount', ['-l', mount], { stdio: 'ignore' }));
  execFileSync('dd', ['if=/dev/zero', `of=${join(mount, 'filler')}`, 'bs=1k', 'count=2040'], {
    stdio: 'ignore',
  });
  return mount;
}

test(
  'a final save that fails (disk full) keeps the trained model at the checkpoint path and says where',
  { skip: !isRoot && 'mounting a full tmpfs needs root' },
  async () => {
    const full = fullDisk('full-output');
    assert.ok(full, 'mount -t tmpfs');
    const keep = join(dir, 'keep.ckpt');
    const output = join(full, 'out.bin');
    const result = await w2v([
      'train',
      '-i',
      corpus,
      '-o',
      output,
      '--checkpoint',
      keep,
      ...QUICK.slice(0, -1),
      '--dim',
      '200',
    ]);
    assert.equal(result.status, 1, result.stderr);
    assert.match(
      result.stderr,
      /cannot write .*out\.bin: no space left on the device \(ENOSPC\); the trained model was saved whole to .*keep\.ckpt instead/,
    );
    assert.match(result.stderr, /w2v convert .*keep\.ckpt .*out\.bin/);
    assert.equal(existsSync(output), false);
    assert.equal(
      readdirSync(full).filter((name) => name.endsWith('.tmp')).length,
      0,
      'no temporary file is left on the full disk',
    );
    const rescued = await loadNative(keep);
    assert.equal(rescued.training, undefined, 'a finished model, not a checkpoint');
    assert.equal(rescued.vectors.dim, 200);
    const converted = await w2v(['convert', keep, join(dir, 'rescued.bin')]);
    assert.equal(converted.status, 0, converted.stderr);
  },
);

/**
 * Trains a model whose text output takes a second or more to write, sends
 * SIGINT `times` times once the output's temporary file has appeared, and
 * resolves with how the process ended.
 */
async function interruptFinalSave(output: string, times: number): Promise<CliResult> {
  const words = Array.from({ length: 20_000 }, (_, i) => `w${i}`);
  const big = join(dir, 'many-words.txt');
  if (!existsSync(big))
    writeFileSync(big, Array.from({ length: 6 }, () => words.join(' ')).join('\n') + '\n');
  const args = [
    'train',
    '-i',
    big,
    '-o',
    output,
    '--dim',
    '300',
    '--epochs',
    '1',
    '--min-count',
    '1',
    '--sample',
    '0',
    '--threads',
    '1',
    '-q',
  ];
  const { child, output: printed, closed } = startW2v(args);
  const name = output.slice(output.lastIndexOf('/') + 1);
  let exited = false;
  void closed.then(() => (exited = true));
  while (
    !exited &&
    !readdirSync(dir).some((file) => file.startsWith(`.${name}.`) && file.endsWith('.tmp'))
  )
    await sleep(5);
  assert.equal(exited, false, `the run ended before its save began: ${printed().stderr}`);
  for (let i = 0; i < times; i++) {
    child.kill('SIGINT');
    await sleep(50);
  }
  return { status: await closed, ...printed() };
}

test('Ctrl-C while the final output is saved finishes the save, then exits 130 saying so', async () => {
  const output = join(dir, 'interrupted.txt');
  const result = await interruptFinalSave(output, 1);
  assert.equal(result.status, 130, result.stderr);
  assert.match(result.stderr, /finishing the save of .*interrupted\.txt/);
  assert.match(
    result.stderr,
    /stopped by SIGINT after training had finished: .*interrupted\.txt was saved whole/,
  );
  const saved = await loadVectors(output);
  assert.equal(saved.size, 20_000);
  assert.equal(saved.dim, 300);
});

test('a second Ctrl-C during the final save quits at once, leaving the previous output whole and no temporary file', async () => {
  const output = join(dir, 'twice.txt');
  writeFileSync(output, '1 2\nold 0.5 0.25\n');
  const result = await interruptFinalSave(output, 2);
  assert.equal(result.status, 130, result.stderr);
  assert.match(result.stderr, /stopped at once; .*twice\.txt is as it was before/);
  assert.equal(readFileSync(output, 'utf8'), '1 2\nold 0.5 0.25\n');
  assert.deepEqual(
    readdirSync(dir).filter((file) => file.startsWith('.twice.txt.')),
    [],
  );
});

test('training that diverges (learning rate far too high) fails, saves nothing and says what to try', async () => {
  const output = join(dir, 'diverged.txt');
  const result = await w2v([
    'train',
    '-i',
    corpus,
    '-o',
    output,
    '--alpha',
    '5',
    '--epochs',
    '5',
    '--min-count',
    '1',
    '--threads',
    '1',
    '-q',
  ]);
  assert.equal(result.status, 1, result.stderr);
  assert.match(
    result.stderr,
    /^w2v: training diverged at [\d.]+% \(epoch \d of 5\): .*nothing was saved.*learning rate is too high .*alpha 5.*try 0\.5 or lower/,
  );
  assert.equal(existsSync(output), false);
  assert.equal(existsSync(`${output}.checkpoint`), false);
  for (const loss of ['ns', 'hs', 'softmax'] as const) {
    await assert.rejects(
      train({ input: corpus, loss, alpha: 20, epochs: 3, minCount: 1, threads: 1 }),
      TrainingDiverged,
      loss,
    );
  }
});

test('a checkpoint interval past what a timer can hold is refused', async () => {
  const result = await w2v([
    'train',
    '-i',
    corpus,
    '-o',
    join(dir, 'x.bin'),
    '--checkpoint-every',
    '40000',
    ...QUICK,
  ]);
  assert.equal(result.status, 2);
  assert.match(
    result.stderr,
    /--checkpoint-every must be a number of minutes > 0 and at most 35,791/,
  );
  await assert.rejects(
    train({ input: corpus, checkpoint: { path: join(dir, 'c.ckpt'), everyMinutes: 35_792 } }),
    /at most 35,791/,
  );
});
