import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { Command, InvalidArgumentError, Option } from 'commander';
import { errorCode, InputError } from '../errors.js';
import { parseInteger } from './arguments.js';
import { addModelOptions, loadModel, type ModelOptions } from './vectors-args.js';

const USAGE_NOTES = `
Serves a web page for exploring the vectors: nearest neighbours with their
cosine similarity, analogies (a is to b as c is to ?), a zoomable 2-D map of
the most frequent words (PCA, or UMAP on request) and the model's facts.
With --log, the page also shows the loss curve of the training run, and
follows it while the run is still writing.

The server listens on 127.0.0.1 (this machine only) unless --host says
otherwise. It serves its own page and the vectors and log it was given,
nothing else. Stop it with Ctrl-C.

Examples:
  $ w2v serve vectors.bin
  $ w2v train -i corpus.txt -o vectors.bin --log train.jsonl &
  $ w2v serve vectors.bin --log train.jsonl --port 8000
`;

function parsePort(text: string): number {
  const port = parseInteger(text);
  if (port < 0 || port > 65535)
    throw new InvalidArgumentError('Expected a port number from 0 to 65535.');
  return port;
}

interface ServeCommandOptions extends ModelOptions {
  port: number;
  host: string;
  log?: string;
  quiet?: boolean;
}

export function registerServe(program: Command): void {
  const command = program
    .command('serve')
    .summary('explore vectors (and a training log) in the browser')
    .description('Serve a web page and JSON API for exploring word vectors.')
    .argument('<model>', 'word vectors: word2vec .bin, .txt/.vec text, or a native .w2v model')
    .addOption(
      new Option('--port <n>', 'port to listen on; 0 picks a free one')
        .argParser(parsePort)
        .default(8080),
    )
    .addOption(
      new Option(
        '--host <address>',
        'address to listen on; 0.0.0.0 opens it to the network',
      ).default('127.0.0.1'),
    )
    .addOption(
      new Option(
        '--log <file.jsonl>',
        'training log written by w2v train --log, shown as a loss curve',
      ),
    );
  addModelOptions(command)
    .addOption(new Option('-q, --quiet', 'print only the address and errors'))
    .showHelpAfterError("(run 'w2v serve --help' for the options)")
    .addHelpText('after', USAGE_NOTES)
    .action(runServe);
}

async function checkReadable(path: string, what: string): Promise<number> {
  try {
    const info = await stat(path);
    if (info.isDirectory()) throw new InputError(`${what} '${path}' is a directory`);
    await access(path, constants.R_OK);
    return info.size;
  } catch (err) {
    if (err instanceof InputError) throw err;
    const code = errorCode(err);
    if (code === 'ENOENT') throw new InputError(`${what} '${path}' does not exist`);
    if (code === 'EACCES' || code === 'EPERM')
      throw new InputError(`${what} '${path}' is not readable`);
    throw err;
  }
}

async function runServe(model: string, options: ServeCommandOptions): Promise<void> {
  const modelBytes = await checkReadable(model, 'model file');
  if (options.log !== undefined) await checkReadable(options.log, 'training log');

  const { startExplorer, isLoopback } = await import('../web/server.js');
  const started = performance.now();
  const vectors = await loadModel(model, options);
  vectors.prepareQueries(); // the query kernel's copies now, not on the first query
  const loadSeconds = (performance.now() - started) / 1000;

  const explorer = await startExplorer({
    vectors,
    modelPath: model,
    modelBytes,
    logPath: options.log,
    host: options.host,
    port: options.port,
  });
  if (!options.quiet) {
    process.stderr.write(
      `w2v serve: ${vectors.size.toLocaleString('en-US')} words × ${vectors.dim} dimensions from ${model} ` +
        `(loaded in ${loadSeconds.toFixed(1)}s)\n`,
    );
    if (!isLoopback(options.host)) {
      process.stderr.write(
        `w2v serve: listening on ${options.host}: other machines can reach this server\n`,
      );
    }
  }
  // The address goes to stdout on its own line, so scripts can read it (useful with --port 0).
  process.stdout.write(`Serving on ${explorer.url}\n`);

  await new Promise<void>((resolve) => {
    const stop = (): void => {
      process.removeListener('SIGINT', stop);
      process.removeListener('SIGTERM', stop);
      void explorer.close().then(resolve);
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}
