import { Command, Option } from 'commander';
import { printable, printableJson } from '../printable.js';
import { addQueryOptions, formatNeighbours, loadModel, requireWords } from './vectors-args.js';
import type { QueryOptions } from './vectors-args.js';

const USAGE_NOTES = `
Answers "a is to b as c is to ?" with the words nearest to b - a + c
(3CosAdd over unit vectors, as gensim's most_similar(positive=[b, c],
negative=[a])), or with 3CosMul (gensim's most_similar_cosmul) given
--cosmul. The words a, b and c are never answers. Control characters in
words are printed as escapes: \\xNN (C0 and DEL) and \\u{NN} (C1).

Examples:
  $ w2v analogy vectors.bin man king woman        (queen)
  $ w2v analogy vectors.bin france paris italy --topn 1 --cosmul
`;

interface AnalogyCommandOptions extends QueryOptions {
  cosmul?: boolean;
}

export function registerAnalogy(program: Command): void {
  const command = program
    .command('analogy')
    .summary('solve a is to b as c is to ?')
    .description('Print the best answers to the analogy "a is to b as c is to ?".')
    .argument('<model>', 'vectors: word2vec .bin, .txt or fastText .vec, or a native .w2v model')
    .argument('<a>')
    .argument('<b>')
    .argument('<c>')
    .addOption(new Option('--cosmul', 'score with 3CosMul (Levy & Goldberg) instead of 3CosAdd'));
  addQueryOptions(command, 'how many answers to print', 'print JSON')
    .showHelpAfterError("(run 'w2v analogy --help' for the options)")
    .addHelpText('after', USAGE_NOTES)
    .action(
      async (model: string, a: string, b: string, c: string, options: AnalogyCommandOptions) => {
        const kv = await loadModel(model, options);
        requireWords(kv, [a, b, c], model);
        const query = {
          positive: [b, c],
          negative: [a],
          topn: options.topn,
          restrictVocab: options.restrict,
        };
        const answers = options.cosmul ? kv.mostSimilarCosmul(query) : kv.mostSimilar(query);
        if (options.json) {
          const method = options.cosmul ? '3CosMul' : '3CosAdd';
          process.stdout.write(`${printableJson({ a, b, c, method, answers }, 2)}\n`);
        } else {
          process.stdout.write(
            `${printable(a)} : ${printable(b)} :: ${printable(c)} : ?\n${formatNeighbours(answers)}`,
          );
        }
      },
    );
}
