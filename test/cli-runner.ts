import { spawn } from 'node:child_process';
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
