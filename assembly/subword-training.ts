// Training with subwords (fastText, Bojanowski et al. 2017): a word's input
// vector is the mean of its own row and the rows of its character n-grams,
// and the error of an example is added to each of those rows (fastText's
// Model::update). The n-gram rows follow the words' rows in syn0; each
// word's list of them is in the table at subwordOffsets / subwordRows.

import {
  syn0, rowBytes, neu1, neu1e, sentence, subwordOffsets, subwordRows, windowFrom, windowTo, examples,
} from './kernel-state';
import { listOutputs, predict } from './output-layer';
import { axpy, zero } from './vector-math';

@inline function wordAt(p: i32): i32 {
  return load<i32>(sentence + (<usize>p << 2));
}

/** Adds the rows of `word` (its own and its n-grams') into h; returns how many. */
@inline function addRows(word: i32, h: usize): i32 {
  axpy(1, syn0 + <usize>word * rowBytes, h);
  const start = load<i32>(subwordOffsets + (<usize>word << 2));
  const end = load<i32>(subwordOffsets + (<usize>(word + 1) << 2));
  for (let j = start; j < end; j++) {
    axpy(1, syn0 + <usize>load<i32>(subwordRows + (<usize>j << 2)) * rowBytes, h);
  }
  return end - start + 1;
}

/** Adds the error e to every row of `word`. */
@inline function updateRows(word: i32, e: usize): void {
  axpy(1, e, syn0 + <usize>word * rowBytes);
  const start = load<i32>(subwordOffsets + (<usize>word << 2));
  const end = load<i32>(subwordOffsets + (<usize>(word + 1) << 2));
  for (let j = start; j < end; j++) {
    axpy(1, e, syn0 + <usize>load<i32>(subwordRows + (<usize>j << 2)) * rowBytes);
  }
}

@inline function scale(h: usize, by: f32): void {
  const s = f32x4.splat(by);
  for (let k: usize = 0; k < rowBytes; k += 16) v128.store(h + k, f32x4.mul(v128.load(h + k), s));
}

/**
 * Skip-gram for the centre word at position i (window already drawn): as
 * fastText, the centre word's vector predicts each context word. The vector
 * is taken once for the window and the summed error applied once after it,
 * so that its rows are read and written once per centre word.
 */
export function subwordSkipGram(i: i32, alpha: f32): void {
  if (windowTo == windowFrom) return;
  const word = wordAt(i);
  zero(neu1);
  scale(neu1, <f32>1 / <f32>addRows(word, neu1));
  zero(neu1e);
  for (let c = windowFrom; c <= windowTo; c++) {
    if (c == i) continue;
    const target = wordAt(c);
    predict(neu1, target, listOutputs(target), alpha);
  }
  updateRows(word, neu1e);
  examples += windowTo - windowFrom;
}

/** CBOW for the word at position i: the hidden layer is the mean of all rows of all context words, as fastText's. */
export function subwordCbow(i: i32, alpha: f32): void {
  if (windowTo == windowFrom) return;
  zero(neu1);
  let rows = 0;
  for (let c = windowFrom; c <= windowTo; c++) {
    if (c != i) rows += addRows(wordAt(c), neu1);
  }
  scale(neu1, <f32>1 / <f32>rows);
  zero(neu1e);
  const word = wordAt(i);
  predict(neu1, word, listOutputs(word), alpha);
  for (let c = windowFrom; c <= windowTo; c++) {
    if (c != i) updateRows(wordAt(c), neu1e);
  }
  examples += 1;
}
