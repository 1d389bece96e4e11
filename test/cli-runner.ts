import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The compiled CLI: dist/test/cli-runner.js → dist/src/cli/main.js. */
export const MAIN = fileURLToPath(new URL('../src/cli/main.js', import.meta.url));

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  /** Written to standard input, which is otherwise closed. */
  input?: string;
  /** Added to the environment (W2V_DEBUG is cleared unless given). */
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
  /** Options for node itself, before the script (e.g. --import). */
  nodeArgs?: readonly string[];
  /** Run as this user and group (needs root). */
  uid?: number;
  gid?: number;
}

/** Runs `w2v args` to completion and collects what it printed. */
export function w2v(args: readonly string[], options: CliOptions = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...(options.nodeArgs ?? []), MAIN, ...args], {
      uid: options.uid,
      gid: options.gid,
      env: { ...process.env, W2V_DEBUG: '', ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
      timeout: options.timeoutMs ?? 60_000,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
    // The child may exit before reading everything (a blank line ends an interactive session).
    child.stdin.on('error', () => undefined);
    child.stdin.end(options.input ?? '');
  });
}

/** A `w2v` process left running, so a test can act on it (signal it, change its files) before it ends. */
export interface RunningCli {
  child: ChildProcess;
  /** What it has printed so far. */
  output(): { stdout: string; stderr: string };
  /** Its exit status once it has ended (null if a signal ended it). */
  closed: Promise<number | null>;
}

/** Starts `w2v args` with standard input closed and collects what it prints. */
export function startW2v(args: readonly string[]): RunningCli {
  const child = spawn(process.execPath, [MAIN, ...args], {
    env: { ...process.env, W2V_DEBUG: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const closed = new Promise<number | null>((resolve) =>
    child.on('close', (status) => resolve(status)),
  );
  return { child, output: () => ({ stdout, stderr }), closed };
}
