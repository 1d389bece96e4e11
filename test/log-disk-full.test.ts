// A --log file that cannot be written (disk full when it is opened or while
// training runs) costs a warning, never the run. The disk is a small tmpfs
// mounted for the test and filled up, which needs root.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  closeSync,
  fstatSync,
  ftruncateSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { errorCode } from '../src/errors.js';
import { loadVectors } from '../src/io/load.js';
import { parseProgressLog, ProgressLog } from '../src/io/progress-log.js';
import type { TrainProgress } from '../src/train/types.js';
import { w2v } from './cli-runner.js';
import { writePlantedCorpus } from './planted-corpus.js';

const dir = mkdtempSync(join(tmpdir(), 'w2v-log-disk-full-'));

/** Mounts a tmpfs of 2 MiB at `path`; a message if that is not permitted here. */
function mountTmpfs(path: string, options = 'size=2m'): string | undefined {
  mkdirSync(path, { recursive: true });
  const result = spawnSync('mount', ['-t', 'tmpfs', '-o', options, 'tmpfs', path], {
    encoding: 'utf8',
  });
  if (result.status === 0) return undefined;
  return (result.error?.message ?? result.stderr).trim() || `mount exited with ${result.status}`;
}

function unmount(path: string): void {
  // Lazy, so a file left open by a failed test cannot keep the mount (and the temporary directory) alive.
  spawnSync('umount', ['--lazy', path]);
}

const probe = join(dir, 'probe');
const mountRefused = mountTmpfs(probe);
if (mountRefused === undefined) unmount(probe);
const skip =
  mountRefused === undefined
    ? false
    : `mounting a tmpfs is not permitted here (uid ${process.getuid?.()}): ${mountRefused}`;

/** Fills the file system at `mount` with one file of zeros, leaving `freeBytes` (a multiple of the page size) free. */
function fillSpace(mount: string, freeBytes = 0): void {
  const fd = openSync(join(mount, 'filler'), 'w');
  const block = Buffer.alloc(64 * 1024);
  try {
    for (;;) writeSync(fd, block);
  } catch (err) {
    if (errorCode(err) !== 'ENOSPC') throw err;
  }
  ftruncateSync(fd, Math.max(0, fstatSync(fd).size - freeBytes));
  closeSync(fd);
}

/** Uses up the inodes of the file system at `mount`, so no new file can be created. */
function fillInodes(mount: string): void {
  try {
    for (let i = 0; ; i++) closeSync(openSync(join(mount, `inode${i}`), 'w'));
  } catch (err) {
    if (errorCode(err) !== 'ENOSPC') throw err;
  }
}

const NO_SPACE = 'no space left on the device (ENOSPC); training goes on without it';
const STACK_FRAME = /^\s+at /m;

function progress(words: number): TrainProgress {
  return {
    phase: 'train',
    epoch: 1,
    epochs: 1,
    words,
    totalWords: 1000,
    fraction: words / 1000,
    alpha: 0.025,
    loss: 2.5,
    epochLoss: 2.5,
    wordsPerSecond: 1000,
    elapsedSeconds: words / 1000,
    etaSeconds: 1,
  };
}

let corpus: string;

before(() => {
  corpus = writePlantedCorpus(join(dir, 'planted.txt'), { sentences: 2000 }).path;
});

after(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('a progress log on a full disk', { skip }, () => {
  let mounts = 0;
  /** Runs `body` with a fresh tmpfs mounted at `disk`, unmounted afterwards whatever happens. */
  const withDisk = async (
    options: string | undefined,
    body: (disk: string) => Promise<void>,
  ): Promise<void> => {
    const disk = join(dir, `disk${mounts++}`);
    const refused = mountTmpfs(disk, options);
    assert.equal(refused, undefined, `mount a tmpfs at ${disk}`);
    try {
      await body(disk);
    } finally {
      unmount(disk);
    }
  };

  test('w2v train --log into a full disk warns once, trains on and saves a model that loads', async () => {
    await withDisk(undefined, async (disk) => {
      fillSpace(disk);
      const log = join(disk, 'train.jsonl');
      const output = join(dir, 'full-disk.bin');
      const { status, stdout, stderr } = await w2v([
        'train',
        '-i',
        corpus,
        '-o',
        output,
        '--epochs',
        '10',
        '--dim',
        '20',
        '--log',
        log,
      ]);
      assert.equal(status, 0, stderr);
      assert.doesNotMatch(stderr, STACK_FRAME);
      const warnings = stderr.split('\n').filter((line) => line.startsWith('w2v: warning:'));
      assert.deepEqual(warnings, [
        `w2v: warning: cannot write the progress log '${log}': ${NO_SPACE}`,
      ]);
      assert.match(stdout, /^saved\s/m);
      const vectors = await loadVectors(output);
      assert.ok(vectors.size > 80, `vocabulary of ${vectors.size} words`);
    });
  });

  test('w2v train --log whose file cannot be created (no inode left) warns once and trains on', async () => {
    await withDisk('size=2m,nr_inodes=16', async (disk) => {
      fillInodes(disk);
      const log = join(disk, 'train.jsonl');
      const output = join(dir, 'no-inode.bin');
      const { status, stderr } = await w2v([
        'train',
        '-i',
        corpus,
        '-o',
        output,
        '--epochs',
        '2',
        '--dim',
        '20',
        '--log',
        log,
      ]);
      assert.equal(status, 0, stderr);
      assert.doesNotMatch(stderr, STACK_FRAME);
      const warnings = stderr.split('\n').filter((line) => line.startsWith('w2v: warning:'));
      assert.deepEqual(warnings, [
        `w2v: warning: cannot write the progress log '${log}': ${NO_SPACE}`,
      ]);
      assert.ok((await loadVectors(output)).size > 80);
    });
  });

  test('a progress log that fills the disk partway keeps its whole records, warns once and drops the rest', async () => {
    await withDisk(undefined, async (disk) => {
      fillSpace(disk, 4096);
      const path = join(disk, 'train.jsonl');
      const warnings: string[] = [];
      const log = ProgressLog.open(path, (message) => warnings.push(message));
      for (let words = 1; words <= 200; words++) log.write(progress(words));
      log.close();
      assert.deepEqual(warnings, [`cannot write the progress log '${path}': ${NO_SPACE}`]);
      const records = parseProgressLog(readFileSync(path, 'utf8'));
      assert.ok(records.length > 5 && records.length < 200, `${records.length} records written`);
      assert.deepEqual(
        records.map((r) => r.words),
        records.map((_, i) => i + 1),
        'the records that were written are the first ones, in order',
      );
    });
  });
});
