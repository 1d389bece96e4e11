// Shared by the web explorer tests: a small model with planted neighbours,
// trained once per test file through the CLI (with --log), and a running
// `w2v serve` child process.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MAIN, w2v } from './cli-runner.js';
import { writePlantedCorpus, type PlantedCorpus } from './planted-corpus.js';

export { w2v };

export interface WebFixture {
  dir: string;
  model: string;
  log: string;
  corpus: PlantedCorpus;
  /** The topic of a word, or undefined for the common words. */
  topicOf(word: string): number | undefined;
  cleanup(): Promise<void>;
}

/**
 * 10 topics × 8 words plus 4 common words (84 in all), trained on one thread
 * with a fixed seed, so every run gives the same vectors.
 */
export async function trainWebFixture(): Promise<WebFixture> {
  const dir = await mkdtemp(join(tmpdir(), 'w2v-web-test-'));
  const corpus = writePlantedCorpus(join(dir, 'planted.txt'));
  const model = join(dir, 'model.bin');
  const log = join(dir, 'train.jsonl');
  const result = await w2v([
    'train',
    '-i',
    corpus.path,
    '-o',
    model,
    '--log',
    log,
    '--quiet',
    '--dim',
    '24',
    '--window',
    '3',
    '--min-count',
    '1',
    '--sample',
    '0',
    '--epochs',
    '5',
    '--threads',
    '1',
    '--seed',
    '7',
  ]);
  if (result.status !== 0) throw new Error(`training the test model failed:\n${result.stderr}`);
  return {
    dir,
    model,
    log,
    corpus,
    topicOf: (word) => corpus.topicOf.get(word),
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}

export interface ServeProcess {
  /** http://127.0.0.1:port/ as printed by the server. */
  url: string;
  child: ChildProcess;
  stderr(): string;
  /** SIGINT, then the exit code. */
  stop(): Promise<number | null>;
}

/** Starts `w2v serve <args> --port 0` and waits for the address it prints. */
export function startServe(args: readonly string[]): Promise<ServeProcess> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [MAIN, 'serve', ...args, '--port', '0'], {
      env: { ...process.env, W2V_DEBUG: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    const exited = new Promise<number | null>((resolveExit) =>
      child.on('exit', (code) => resolveExit(code)),
    );
    const timer = setTimeout(() => {
      child.kill();
      reject(new Error(`w2v serve did not start:\n${stderr}`));
    }, 30_000);
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      const match = /Serving on (http:\/\/\S+)/.exec(stdout);
      if (!match) return;
      clearTimeout(timer);
      resolvePromise({
        url: match[1]!,
        child,
        stderr: () => stderr,
        stop: () => {
          if (child.exitCode === null) child.kill('SIGINT');
          return exited;
        },
      });
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`w2v serve exited with ${code} before listening:\n${stderr}`));
    });
  });
}
