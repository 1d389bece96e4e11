/**
 * The habits of word2vec.c, fastText and gensim on our command line:
 * single-dash long flags (`-size 300`, `-input corpus.txt`), their names
 * (`--vector_size`, `-iter`, `-cbow 1`), gensim's keywords (`min_count=2`)
 * and a corpus given as an argument (`w2v train corpus.txt`). Commander would
 * read `-input` as `-i nput` and say only "too many arguments"; these are
 * caught before it parses, and the message gives the command meant.
 */
import type { Command, Option } from 'commander';
import { foreignOption, nearestName, normalizeName, type ForeignTarget } from '../option-names.js';
import { OPTION_TABLE } from '../options.js';

/** What the scan of one command's arguments found. */
interface Scan {
  notes: string[];
  /** The arguments as they were meant. */
  meant: string[];
  /** Corpus files given as arguments to `train`. */
  corpus: string[];
}

/**
 * A usage message for arguments that follow another tool's habits, or
 * undefined when there are none (commander then parses them as usual).
 * @example
 * foreignFlagsHint(program, ['train', 'small.txt', '-size', '300', '-o', 'out.bin']);
 * // "w2v train takes the corpus with -i/--input, not as an argument; word2vec.c's -size is --dim here
 * //  did you mean: w2v train -i small.txt --dim 300 -o out.bin"
 */
export function foreignFlagsHint(program: Command, args: readonly string[]): string | undefined {
  const at = args.findIndex((a) => !a.startsWith('-'));
  if (at < 0) return undefined;
  const command = program.commands.find(
    (c) => c.name() === args[at] || c.aliases().includes(args[at]!),
  );
  if (!command) return undefined;
  const scan = scanArguments(command, args.slice(at + 1));
  if (scan.notes.length === 0) return undefined;
  const meant = scan.corpus.length > 0 ? ['-i', ...scan.corpus, ...scan.meant] : scan.meant;
  // One note a line: a word2vec.c command line can hold a dozen flags.
  return (
    `${scan.notes.join('\n  ')}\n` +
    `did you mean: w2v ${[command.name(), ...meant].map(shellWord).join(' ')}`
  );
}

function scanArguments(command: Command, rest: readonly string[]): Scan {
  const scan: Scan = { notes: [], meant: [], corpus: [] };
  const isTrain = command.name() === 'train';
  const takesArguments = command.registeredArguments.length > 0;
  const longNames = command.options.flatMap((o) => (o.long ? [o.long.slice(2)] : []));
  for (let i = 0; i < rest.length; i++) {
    const token = rest[i]!;
    if (token === '--') {
      scan.meant.push(...rest.slice(i));
      break;
    }
    const keyword = /^([A-Za-z][\w-]*)=(.*)$/s.exec(token);
    const isFlag = token.startsWith('-') && token.length > 1 && !looksNumeric(token);
    if (!isFlag && !(keyword && isTrain)) {
      if (isTrain && !takesArguments) {
        scan.corpus.push(token);
        if (scan.corpus.length === 1)
          scan.notes.push('w2v train takes the corpus with -i/--input, not as an argument');
      } else scan.meant.push(token);
      continue;
    }
    const [flag, inline] = isFlag ? splitInline(token) : [keyword![1]!, keyword![2]!];
    if (flag === '--help' || flag === '-h') {
      scan.meant.push(token);
      continue;
    }
    const own = isFlag ? findOption(command, flag) : undefined;
    if (own) {
      scan.meant.push(token);
      if (own.isBoolean() || inline !== undefined) continue;
      // Its values: one, or for a variadic option all up to the next flag.
      do scan.meant.push(...(rest[i + 1] === undefined ? [] : [rest[++i]!]));
      while (own.variadic && rest[i + 1] !== undefined && !isFlagToken(rest[i + 1]!));
      continue;
    }
    const name = flag.replace(/^--?/, '');
    const foreign = isTrain ? foreignOption(name) : undefined;
    const near = foreign ? undefined : nearestName(name, longNames);
    const meantOption = foreign
      ? findOption(command, targetFlag(foreign.target))
      : near !== undefined
        ? findOption(command, `--${near}`)
        : undefined;
    if (!meantOption) {
      // Unknown, and left to commander; a value after it is not a corpus file.
      scan.meant.push(token);
      if (inline === undefined && rest[i + 1] !== undefined && !isFlagToken(rest[i + 1]!))
        scan.meant.push(rest[++i]!);
      continue;
    }
    const takesValue = foreign !== undefined || !meantOption.isBoolean();
    const next = rest[i + 1];
    const given =
      inline ?? (takesValue && next !== undefined && !isFlagToken(next) ? rest[++i] : undefined);
    const value = foreign?.value ? foreign.value(given) : given;
    const shown = flagNames(meantOption);
    const sameName = near !== undefined && normalizeName(near) === normalizeName(name);
    scan.notes.push(
      foreign
        ? `${foreign.tool} ${foreign.spelling} is ${shown} here`
        : sameName
          ? `'${flag}' is ${shown} here`
          : `'${flag}' is not an option of w2v ${command.name()}: did you mean ${shown}?`,
    );
    scan.meant.push(meantOption.long ?? shown, ...(value === undefined ? [] : [value]));
  }
  return scan;
}

/** '--dim' for a training option, '--input' / '--output' / '--format' for the command's own. */
function targetFlag(target: ForeignTarget): string {
  const spec = OPTION_TABLE.find((o) => o.key === target);
  return spec ? spec.flag.split(' ')[0]! : `--${target}`;
}

function findOption(command: Command, flag: string): Option | undefined {
  return command.options.find((o) => o.long === flag || o.short === flag);
}

/** '-i/--input' or '--dim': how a message names an option. */
function flagNames(option: Option): string {
  return [option.short, option.long].filter((f) => f !== undefined).join('/');
}

function splitInline(token: string): [string, string | undefined] {
  const eq = token.indexOf('=');
  return eq < 0 ? [token, undefined] : [token.slice(0, eq), token.slice(eq + 1)];
}

function looksNumeric(token: string): boolean {
  return /^-(\d|\.\d)/.test(token);
}

function isFlagToken(token: string): boolean {
  return token.startsWith('-') && token.length > 1 && !looksNumeric(token);
}

/** A word as a POSIX shell reads it back. */
function shellWord(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}
