// What the query commands print for models holding odd words or values: warnings at
// load, errors for words that cannot be compared, and words with control characters.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { saveWord2Vec } from '../src/io/word2vec-format.js';
import { KeyedVectors } from '../src/vectors/keyed-vectors.js';
import { w2v } from './cli-runner.js';
import { royalModel } from './fixtures.js';

const directory = mkdtempSync(join(tmpdir(), 'w2v-cli-safety-'));
after(() => rmSync(directory, { recursive: true, force: true }));

function file(name: string): string {
  return join(directory, name);
}

/** C0 and C1 control characters and DEL: what a terminal may act on. */
// eslint-disable-next-line no-control-regex -- control characters are what it finds
const RAW_CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/;

function warningLines(stderr: string): string[] {
  return stderr.split('\n').filter((line) => line.startsWith('w2v: warning: '));
}

async function nonFiniteModelFile(): Promise<string> {
  const path = file('non-finite.bin');
  await saveWord2Vec(
    royalModel(
      [
        ['broken', [NaN, 1, 0, 0]],
        ['huge', [Infinity, 0, 0, 0]],
      ],
      [['nan', [NaN, NaN, NaN, NaN]]],
    ),
    path,
  );
  return path;
}

test('similar and analogy on a model with NaN or infinite rows warn once and answer from the finite rows', async () => {
  const model = await nonFiniteModelFile();
  const similar = await w2v(['similar', model, 'king', '--topn', '20']);
  assert.equal(similar.status, 0, similar.stderr);
  assert.deepEqual(warningLines(similar.stderr), [
    `w2v: warning: ${model}: 3 words have NaN or infinite values; they are never similarity candidates and cannot be queried: 'nan', 'broken', 'huge'`,
  ]);
  assert.doesNotMatch(similar.stdout, /no candidates|\bnan\b|broken|huge|NaN/);
  assert.match(similar.stdout, /queen/);

  const analogy = await w2v(['analogy', model, 'man', 'king', 'woman', '--topn', '1']);
  assert.equal(analogy.status, 0, analogy.stderr);
  assert.equal(warningLines(analogy.stderr).length, 1);
  assert.match(analogy.stdout, /queen/);
});

test('a query word whose vector has NaN or infinite values is an error naming the word', async () => {
  const model = await nonFiniteModelFile();
  const similar = await w2v(['similar', model, 'broken']);
  assert.equal(similar.status, 1);
  assert.equal(similar.stdout, '');
  assert.match(
    similar.stderr,
    new RegExp(
      `^w2v: 'broken' has NaN or infinite values in ${model}, so it cannot be compared$`,
      'm',
    ),
  );
  assert.doesNotMatch(similar.stderr, /\bat .*\.js:\d+/);

  const analogy = await w2v(['analogy', model, 'man', 'huge', 'woman', '--cosmul']);
  assert.equal(analogy.status, 1);
  assert.match(analogy.stderr, /'huge' has NaN or infinite values/);

  // In a session, such a word is reported and the session goes on.
  const session = await w2v(['similar', model], { input: 'king\nnan\nqueen\n' });
  assert.equal(session.status, 0, session.stderr);
  assert.match(session.stderr, /'nan' has NaN or infinite values/);
  assert.equal(session.stdout.split('\n').filter((line) => /^ +1 /.test(line)).length, 2);
});

test('commands that load a model print loader warnings as "w2v: warning:" lines', async () => {
  const model = file('duplicates.txt');
  writeFileSync(model, '3 2\nking 1 0\nqueen 0 1\nking 1 1\n');
  const expected = `w2v: warning: ${model}: 1 word appears more than once; the first of each is kept: 'king' (line 4)`;
  const similar = await w2v(['similar', model, 'king']);
  assert.equal(similar.status, 0, similar.stderr);
  assert.deepEqual(warningLines(similar.stderr), [expected]);

  const pairs = file('pairs.tsv');
  writeFileSync(pairs, 'king\tqueen\t5\n');
  const evaluation = await w2v(['eval', model, '--pairs', pairs]);
  assert.equal(evaluation.status, 0, evaluation.stderr);
  assert.deepEqual(warningLines(evaluation.stderr), [expected]);

  const converted = await w2v(['convert', model, file('converted.bin')]);
  assert.equal(converted.status, 0, converted.stderr);
  assert.deepEqual(warningLines(converted.stderr), [expected]);
  const quiet = await w2v(['convert', model, file('converted-quietly.bin'), '--quiet']);
  assert.equal(quiet.status, 0, quiet.stderr);
  assert.equal(quiet.stderr, '');
});

/** A model whose words hold ESC (clearing the screen), BEL, DEL and a C1 CSI. */
async function controlWordsModel(): Promise<string> {
  const path = file('controls.bin');
  const words = ['king', 'queen', '\x1b[2Jclear', 'bell\x07', 'del\x7f', 'csi\u009b31m'];
  const vectors = Float32Array.from(
    [1, 1, 0, 1, 0.9, 0.1, 1, 0.8, 0.2, 0.7, 1, 0.3, 0.6, 0.9, 0.4, 0.5, 0.8, 0.5].slice(
      0,
      words.length * 3,
    ),
  );
  await saveWord2Vec(new KeyedVectors(words, vectors, 3), path);
  return path;
}

test('similar and analogy print control characters in words as escapes, in tables and in JSON', async () => {
  const model = await controlWordsModel();
  const table = await w2v(['similar', model, 'king']);
  assert.equal(table.status, 0, table.stderr);
  assert.doesNotMatch(table.stdout, RAW_CONTROL);
  for (const shown of ['\\x1b[2Jclear', 'bell\\x07', 'del\\x7f', 'csi\\u{9b}31m'])
    assert.ok(table.stdout.includes(shown), `${shown} in:\n${table.stdout}`);

  const json = await w2v(['similar', model, 'king', '--json']);
  assert.equal(json.status, 0, json.stderr);
  assert.doesNotMatch(json.stdout, RAW_CONTROL);
  const parsed = JSON.parse(json.stdout) as { neighbours: Array<{ word: string }> };
  assert.ok(
    parsed.neighbours.some((n) => n.word === 'csi\u009b31m'),
    'JSON keeps the words exact',
  );

  const analogy = await w2v(['analogy', model, 'bell\x07', 'king', 'queen']);
  assert.equal(analogy.status, 0, analogy.stderr);
  assert.doesNotMatch(analogy.stdout, RAW_CONTROL);
  assert.match(analogy.stdout, /^bell\\x07 : king :: queen : \?$/m);

  // Piped sessions echo each query, escaped too; unknown words in errors are escaped.
  const session = await w2v(['similar', model], { input: 'del\x7f\nno\x1bsuch\n' });
  assert.equal(session.status, 0, session.stderr);
  assert.doesNotMatch(session.stdout + session.stderr, RAW_CONTROL);
  assert.match(session.stdout, /^del\\x7f$/m);
  assert.match(session.stderr, /'no\\x1bsuch' is not in the vocabulary/);
});
