#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { W2vError } from '../errors.js';
import { registerTrain } from './train.js';
import { registerServe } from './serve.js';
import { registerPlot } from './plot.js';
import { registerSimilar } from './similar.js';
import { registerAnalogy } from './analogy.js';
import { registerEval } from './eval.js';
import { registerConvert } from './convert.js';
import { foreignFlagsHint } from './foreign-flags.js';
import { registerPhrases } from './phrases.js';

/**
 * Each subcommand lives in its own file and exports a function that adds it
 * to the program; add new commands (similar, analogy, eval, convert, serve)
 * to this list.
 */
const COMMANDS: ReadonlyArray<(program: Command) => void> = [
  registerTrain,
  registerServe,
  registerPlot,
  registerSimilar,
  registerAnalogy,
  registerEval,
  registerConvert,
  registerPhrases,
];

function packageVersion(): string {
  // dist/src/cli/main.js → package.json, both in the repository and when installed.
  const pkg: unknown = JSON.parse(
    readFileSync(new URL('../../../package.json', import.meta.url), 'utf8'),
  );
  return typeof pkg === 'object' && pkg !== null && 'version' in pkg
    ? String(pkg.version)
    : 'unknown';
}

function buildProgram(): Command {
  const program = new Command('w2v')
    .description(
      'Train and use word2vec embeddings (skip-gram / CBOW) with WebAssembly SIMD on all cores.',
    )
    .version(packageVersion(), '-V, --version')
    .option('--debug', 'print stack traces for errors (same as W2V_DEBUG=1)')
    // Throw instead of exiting so every exit code is decided in one place (run()).
    .exitOverride()
    .configureOutput({
      // Commander prefixes its messages with "error: "; match our "w2v: " style.
      outputError: (message, write) => write(`w2v: ${message.replace(/^error: /, '')}`),
    });
  // Commands created after the settings above inherit them (exitOverride, output).
  for (const register of COMMANDS) register(program);
  return program;
}

function debugEnabled(argv: readonly string[]): boolean {
  // Checked on the raw argv: the error may come from parsing, before options exist.
  return process.env.W2V_DEBUG === '1' || argv.includes('--debug');
}

/** Runs the CLI and returns the process exit code. */
async function run(argv: readonly string[] = process.argv): Promise<number> {
  const program = buildProgram();
  // word2vec.c's and fastText's flags would be misread (-input as -i nput): explained before parsing.
  const hint = foreignFlagsHint(program, argv.slice(2));
  if (hint !== undefined) {
    process.stderr.write(`w2v: ${hint}\n`);
    return 2;
  }
  try {
    await program.parseAsync([...argv]);
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      // Help and version exit 0; any other commander error is a usage error,
      // already printed by commander.
      return err.exitCode === 0 ? 0 : 2;
    }
    if (err instanceof W2vError) {
      process.stderr.write(`w2v: ${err.message}\n`);
      if (debugEnabled(argv) && err.stack) process.stderr.write(`${err.stack}\n`);
      return err.exitCode;
    }
    // Not something the user can fix: show everything.
    const detail = err instanceof Error ? (err.stack ?? err.message) : String(err);
    process.stderr.write(`w2v: internal error (please report it):\n${detail}\n`);
    return 1;
  }
}

// `w2v train --help | head` closes our stdout early: that is not an error.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});

const code = await run();
// Exit explicitly on failure so a stuck worker or timer cannot keep a failed run alive;
// on success let pending output drain and the process end by itself.
if (code !== 0) process.exit(code);
