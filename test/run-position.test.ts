import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { TrainingState } from '../src/io/native-format.js';
import { savedState, startPosition } from '../src/train/checkpoint.js';
import { seededRandomState } from '../src/train/kernel.js';
import { sampleState } from './fixtures.js';

const state: TrainingState = sampleState({
  wordsDone: 123_456,
  totalWords: 1_000_000,
  chunksDone: 17,
});
const constants = { totalWords: state.totalWords, chunkTarget: 8192, corpus: state.corpus };

test("a checkpoint's state becomes the run's position and is saved again unchanged", () => {
  const at = startPosition(state, [1n, 2n]);
  assert.deepEqual(at.randomStates, [0x0123456789abcdefn, 0xfedcba9876543210n]);
  assert.equal(at.wordsDone, state.wordsDone);
  assert.deepEqual(savedState(at, constants), state);
});

test('a run without a checkpoint starts at the beginning, each thread from its seed', () => {
  const at = startPosition(undefined, [5n, 6n]);
  assert.deepEqual(at, {
    wordsDone: 0,
    epoch: 0,
    chunksDone: 0,
    examples: 0,
    epochLoss: 0,
    epochExamples: 0,
    randomStates: [seededRandomState(5n), seededRandomState(6n)],
  });
});

test('a thread the checkpoint did not have starts from its seed; one it had and no longer has is left out', () => {
  assert.deepEqual(startPosition(state, [1n, 2n, 3n]).randomStates, [
    0x0123456789abcdefn,
    0xfedcba9876543210n,
    seededRandomState(3n),
  ]);
  assert.deepEqual(startPosition(state, [1n]).randomStates, [0x0123456789abcdefn]);
});
