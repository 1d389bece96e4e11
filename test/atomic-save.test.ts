/**
 * A save killed part-way (SIGKILL: no cleanup runs) must leave the model it
 * was replacing byte-identical and loadable, in every format.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FileFormat } from '../src/io/file-format.js';
import { loadVectors } from '../src/io/load.js';
import { saveVectors } from '../src/io/save.js';
import { royalModel } from './fixtures.js';

const directory = mkdtempSync(join(tmpdir(), 'w2v-atomic-save-test-'));
after(() => rmSync(directory, { recursive: true, force: true }));

/** The compiled saver, for the child: dist/test → dist/src. */
const SAVE_MODULE = new URL('../src/io/save.js', import.meta.url).href;
const KEYED_VECTORS_MODULE = new URL('../src/vectors/keyed-vectors.js', import.meta.url).href;

/** 20,000 × 100 float32s: 8 MB in binary and native, ~25 MB in text, so that the save takes long enough to be caught. */
const CHILD_WORDS = 20_000;
const CHILD_DIM = 100;

/** Builds a large model and saves it over argv[1] in format argv[2]. */
const CHILD_SCRIPT = `
const { saveVectors } = await import(${JSON.stringify(SAVE_MODULE)});
const { KeyedVectors } = await import(${JSON.stringify(KEYED_VECTORS_MODULE)});
const [path, format] = process.argv.slice(1);
const words = Array.from({ length: ${CHILD_WORDS} }, (_, i) => 'word' + i);
const vectors = Float32Array.from({ length: ${CHILD_WORDS * CHILD_DIM} }, (_, i) => Math.sin(i) * 0.123456789);
await saveVectors(new KeyedVectors(words, vectors, ${CHILD_DIM}), path, { format });
`;

/** Polls `directory` until a file matching `pattern` has some bytes; returns its name and size then. */
async function waitForPartialFile(
  pattern: RegExp,
  give: () => boolean,
): Promise<{ name: string; bytes: number }> {
  for (;;) {
    for (const name of readdirSync(directory)) {
      if (!pattern.test(name)) continue;
      const bytes = statSync(join(directory, name), { throwIfNoEntry: false })?.size ?? 0;
      if (bytes > 0) return { name, bytes };
    }
    if (give()) throw new Error('the child exited before its temporary file had any bytes');
    await new Promise((resolve) => setImmediate(resolve));
  }
}

interface KilledSave {
  /** The temporary file left behind, or undefined if the save finished (and renamed it) before the kill landed. */
  leftover?: string;
  bytes: number;
}

/** Starts a child saving a large model over `target`, and SIGKILLs it once its temporary file has some bytes. */
async function saveAndKill(target: string, format: FileFormat, name: string): Promise<KilledSave> {
  const child = spawn(
    process.execPath,
    ['--input-type=module', '-e', CHILD_SCRIPT, target, format],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  let exited = false;
  const closed = new Promise<NodeJS.Signals | null>((resolve) =>
    child.on('close', (_code, signal) => {
      exited = true;
      resolve(signal);
    }),
  );
  const temporary = new RegExp(`^\\.${name}\\.${child.pid}\\.[0-9a-f]{12}\\.tmp$`);
  let partial: { name: string; bytes: number };
  try {
    partial = await waitForPartialFile(temporary, () => exited);
  } catch (error) {
    await closed;
    assert.fail(`${(error as Error).message}: ${stderr}`);
  }
  child.kill('SIGKILL');
  const signal = await closed;
  const leftover = join(directory, partial.name);
  const bytes = statSync(leftover, { throwIfNoEntry: false })?.size;
  if (bytes === undefined) return { bytes: partial.bytes };
  assert.equal(signal, 'SIGKILL', `the child was not killed: ${stderr}`);
  return { leftover: partial.name, bytes };
}

for (const format of ['bin', 'txt', 'native'] as const satisfies readonly FileFormat[]) {
  test(
    `a ${format} save killed part-way leaves the old model byte-identical and loadable`,
    { timeout: 60_000 },
    async (t) => {
      const name = `model-${format}`;
      const target = join(directory, name);
      const old = royalModel();
      let killed: KilledSave | undefined;
      for (let attempt = 1; attempt <= 3 && !killed?.leftover; attempt++) {
        await saveVectors(old, target, { format });
        killed = await saveAndKill(target, format, name);
        if (!killed.leftover) {
          // The save won the race: then the target must be the whole new model.
          assert.equal((await loadVectors(target, { format })).size, CHILD_WORDS);
          t.diagnostic(`attempt ${attempt}: the save finished before the kill`);
        }
      }
      const { leftover, bytes } = killed!;
      assert.ok(leftover, 'every save finished before it could be killed');
      t.diagnostic(`killed with ${bytes} bytes written to ${leftover}`);

      // The temporary file was never renamed, so the target is the old model, byte for byte.
      const oldBytes = await saveVectorsToBytes(old, format);
      assert.ok(readFileSync(target).equals(oldBytes), 'the old model file changed');
      const reloaded = await loadVectors(target, { format });
      assert.deepEqual(reloaded.words, old.words);
      assert.deepEqual(reloaded.vectors, old.vectors);

      // The leftover stays (only its owner may delete it) and does not get in the way of the next save.
      const next = royalModel([['pear', [0, 0, 0.5, 1]]]);
      await saveVectors(next, target, { format });
      assert.deepEqual((await loadVectors(target, { format })).words, next.words);
      assert.equal(statSync(join(directory, leftover)).size, bytes);
      assert.deepEqual(
        readdirSync(directory)
          .filter((file) => file.includes(name))
          .sort(),
        [leftover, name].sort(),
      );
    },
  );
}

/** The bytes `saveVectors` writes for `kv`, from a save of its own. */
async function saveVectorsToBytes(
  kv: ReturnType<typeof royalModel>,
  format: FileFormat,
): Promise<Buffer> {
  const path = join(directory, `reference.${format}`);
  await saveVectors(kv, path, { format });
  const bytes = readFileSync(path);
  rmSync(path);
  return bytes;
}
