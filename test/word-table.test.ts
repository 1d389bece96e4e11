// The word index of a KeyedVectors (an open-addressing table over the word
// list) finds every word at its row, finds nothing else, and tells repeats.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WordTable } from '../src/vectors/word-table.js';
import { KeyedVectors } from '../src/vectors/keyed-vectors.js';

test('every word is found at its row, absent words are not, repeats give the first row', () => {
  const words: string[] = [];
  for (let i = 0; i < 50_000; i++) words.push(i % 7 === 0 ? `é${i}` : `w${i}`);
  words.push('', '日本', 'naïve');
  const table = new WordTable(words, words.length + 2);
  for (let row = 0; row < words.length; row++) assert.equal(table.add(row), -1);
  assert.equal(table.size, words.length);
  for (let row = 0; row < words.length; row++) assert.equal(table.get(words[row]!), row);
  for (const absent of ['w50000', 'e0', '日', 'naive', ' ']) {
    assert.equal(table.get(absent), undefined);
    assert.equal(table.has(absent), false);
  }
  words.push('w43');
  assert.equal(table.add(words.length - 1), 43);
  assert.equal(table.size, words.length - 1);
});

test('KeyedVectors refuses a repeated word, naming both positions', () => {
  assert.throws(
    () => new KeyedVectors(['a', 'b', 'a'], new Float32Array(6), 2),
    /word 'a' appears twice in the vocabulary \(positions 0 and 2\)/,
  );
  const kv = new KeyedVectors(['a', 'b'], new Float32Array([1, 0, 0, 1]), 2);
  assert.equal(kv.indexOf('b'), 1);
  assert.equal(kv.indexOf('c'), -1);
  assert.equal(kv.has('a'), true);
});
