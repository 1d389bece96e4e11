import { createInterface } from 'node:readline';
import { Command, Option } from 'commander';
import { W2vError } from '../errors.js';
import { printable, printableJson } from '../printable.js';
import type { KeyedVectors, Neighbour } from '../vectors/keyed-vectors.js';
import { addQueryOptions, formatNeighbours, loadModel, requireWords } from './vectors-args.js';
import type { QueryOptions } from './vectors-args.js';
import { parseSessionLine, wordCompleter } from './similar-session.js';

const USAGE_NOTES = `
Prints the words nearest to the mean of the words' unit vectors (minus the
--negative words'), by cosine similarity, leaving out the query words; as
gensim's most_similar.

Without words, reads queries from standard input, one per line: words
separated by spaces, a word prefixed with '-' counts as negative, and
--topn, --restrict and --negative hold for that line. On a terminal, Tab
completes words and a blank line (or Ctrl-D) ends the session; from a pipe
or a file, blank lines are skipped and the session ends with the input.

Control characters in words are printed as escapes: \\xNN (C0 and DEL)
and \\u{NN} (C1); --json gives the words exactly.

Examples:
  $ w2v similar vectors.bin france
  $ w2v similar vectors.bin king woman --negative man --topn 3
  $ w2v similar vectors.bin            (interactive: type "paris -france italy --topn 3")
  $ printf 'king\nqueen\n' | w2v similar vectors.bin --json
`;

interface SimilarCommandOptions extends QueryOptions {
  negative?: string[];
}

interface Query {
  positive: string[];
  negative: string[];
}

export function registerSimilar(program: Command): void {
  const command = program
    .command('similar')
    .summary('nearest neighbours of words (interactive without words)')
    .description('Print the words most similar to the given words (3CosAdd over unit vectors).')
    .argument('<model>', 'vectors: word2vec .bin, .txt or fastText .vec, or a native .w2v model')
    .argument('[words...]', 'query words; none starts an interactive session')
    .addOption(
      new Option(
        '--negative <word...>',
        'words to subtract (give this option after the query words)',
      ),
    );
  addQueryOptions(
    command,
    'how many neighbours to print',
    'print JSON (one line per query in a session)',
  )
    .showHelpAfterError("(run 'w2v similar --help' for the options)")
    .addHelpText('after', USAGE_NOTES)
    .action(async (model: string, words: string[], options: SimilarCommandOptions) => {
      const kv = await loadModel(model, options);
      const negative = options.negative ?? [];
      if (words.length === 0 && negative.length === 0) {
        await interactive(kv, model, options);
        return;
      }
      const query = { positive: words, negative };
      requireWords(kv, [...words, ...negative], model);
      const neighbours = answer(kv, query, options);
      process.stdout.write(
        options.json
          ? `${printableJson({ query, neighbours }, 2)}\n`
          : formatNeighbours(neighbours),
      );
    });
}

function answer(kv: KeyedVectors, query: Query, options: SimilarCommandOptions): Neighbour[] {
  return kv.mostSimilar({ ...query, topn: options.topn, restrictVocab: options.restrict });
}

async function interactive(
  kv: KeyedVectors,
  model: string,
  options: SimilarCommandOptions,
): Promise<void> {
  const terminal = process.stdin.isTTY === true;
  const lines = createInterface({
    input: process.stdin,
    output: terminal ? process.stderr : undefined,
    terminal,
    completer: terminal ? wordCompleter(kv) : undefined,
  });
  if (terminal) {
    process.stderr.write(
      `${model}: ${kv.size.toLocaleString('en-US')} words, ${kv.dim} dimensions.\n` +
        `Type words ('-word' subtracts it, --topn <n> sets the count; Tab completes); a blank line quits.\n`,
    );
    lines.setPrompt('> ');
    lines.prompt();
  }
  try {
    for await (const line of lines) {
      // On a terminal a blank line quits; piped input goes on to its end.
      if (line.trim() === '') {
        if (terminal) break;
        continue;
      }
      let query: Query = { positive: [], negative: [] };
      try {
        const parsed = parseSessionLine(line);
        query = { positive: parsed.positive, negative: parsed.negative };
        requireWords(kv, [...query.positive, ...query.negative], model);
        const neighbours = answer(kv, query, {
          ...options,
          topn: parsed.topn ?? options.topn,
          restrict: parsed.restrict ?? options.restrict,
        });
        if (options.json) {
          process.stdout.write(`${printableJson({ query, neighbours })}\n`);
        } else {
          // Piped input is not echoed, so say which query each answer belongs to.
          const echo = terminal
            ? ''
            : `${printable([...query.positive, ...query.negative.map((w) => `-${w}`)].join(' '))}\n`;
          process.stdout.write(`${echo}${formatNeighbours(neighbours)}\n`);
        }
      } catch (error) {
        // A mistyped word should not end the session.
        if (!(error instanceof W2vError)) throw error;
        process.stderr.write(`w2v: ${error.message}\n`);
        if (options.json)
          process.stdout.write(`${printableJson({ query, error: error.message })}\n`);
      }
      if (terminal) lines.prompt();
    }
  } finally {
    lines.close();
  }
}
