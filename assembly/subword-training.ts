// Training with subwords (fastText, Bojanowski et al. 2017): a word's input
// vector is the mean of its own row and the rows of its character n-grams,
// and the error of an example is added to each of those rows (fastText's
// Model::update). The n-gram rows follow the words' rows in syn0; each
// word's list of them is in the table at subwordOffsets / subwordRows.

import {
  syn0, rowBytes, neu1, neu1e, sentence, subwordOffsets, subwordRows, windowFrom, windowTo, examples, errors, window,
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
 * fastText, the centre word's vector predicts each context word in turn, and
 * each prediction's error moves every row of the centre word before the next
 * one. Moving each row by e moves their mean by e, so the kernel moves the
 * mean it holds (neu1) instead, sums the errors (in `errors`), and applies
 * the sum to the rows once after the window: the same steps as fastText's
 * (but for a word whose list holds a row twice), with its rows read and
 * written once per centre word instead of once per context word.
 */
export function subwordSkipGram(i: i32, alpha: f32): void {
  if (windowTo == windowFrom) return;
  const word = wordAt(i);
  zero(neu1);
  scale(neu1, <f32>1 / <f32>addRows(word, neu1));
  const sum = errors;
  zero(sum);
  for (let c = windowFrom; c <= windowTo; c++) {
    if (c == i) continue;
    const target = wordAt(c);
    zero(neu1e);
    predict(neu1, target, listOutputs(target), alpha);
    addToBoth(neu1e, neu1, sum);
  }
  updateRows(word, sum);
  examples += windowTo - windowFrom;
}

/** a += e and b += e, in one pass over e. */
@inline function addToBoth(e: usize, a: usize, b: usize): void {
  for (let k: usize = 0; k < rowBytes; k += 16) {
    const x = v128.load(e + k);
    v128.store(a + k, f32x4.add(v128.load(a + k), x));
    v128.store(b + k, f32x4.add(v128.load(b + k), x));
  }
}

// CBOW over a sliding window (fastText's cbow: the hidden layer is the mean
// of all rows of all context words, and each of those rows takes the error).
// Each sentence position keeps, in a ring of 2 * window + 1 slots, the sum of
// its word's rows and the error its rows have yet to take. The sum is taken
// once when the position first enters a window, and every error added to the
// position is added to the sum too (once per row), so the sum stays that of
// the rows as they will be; the error is applied to the rows once, when no
// later centre word's window reaches the position. Each position's rows are
// then read once and written once instead of once per centre word that sees
// them (window + 1 times on average). Only the rows two positions share (a
// word twice, or common n-grams) see each other's updates late, as rows shared
// with other threads do (Hogwild).

let filled = -1; // the last position whose sum is in the ring
let nextFlush = 0; // the first position whose error is not applied yet

@inline function rowCount(word: i32): i32 {
  return load<i32>(subwordOffsets + (<usize>(word + 1) << 2)) - load<i32>(subwordOffsets + (<usize>word << 2)) + 1;
}

/** The ring slot of position p: its rows' sum, then their pending error. */
@inline function slotOf(p: i32): usize {
  return errors + <usize>(p % (2 * <i32>window + 1)) * 2 * rowBytes;
}

/** Applies the pending errors of positions nextFlush..last to their rows. */
function flushThrough(last: i32): void {
  for (; nextFlush <= last; nextFlush++) updateRows(wordAt(nextFlush), slotOf(nextFlush) + rowBytes);
}

/** Before the first centre word of a sentence. */
export function subwordCbowStart(): void {
  filled = -1;
  nextFlush = 0;
}

/** After the last centre word of a sentence: the positions still pending take their errors. */
export function subwordCbowEnd(): void {
  flushThrough(filled);
}

/** CBOW for the word at position i (window already drawn), centre words in order from subwordCbowStart. */
export function subwordCbow(i: i32, alpha: f32): void {
  if (windowTo > windowFrom) {
    for (; filled < windowTo; ) {
      filled++;
      const slot = slotOf(filled);
      zero(slot);
      addRows(wordAt(filled), slot);
      zero(slot + rowBytes);
    }
    zero(neu1);
    let rows = 0;
    for (let c = windowFrom; c <= windowTo; c++) {
      if (c == i) continue;
      axpy(1, slotOf(c), neu1);
      rows += rowCount(wordAt(c));
    }
    scale(neu1, <f32>1 / <f32>rows);
    zero(neu1e);
    const word = wordAt(i);
    predict(neu1, word, listOutputs(word), alpha);
    for (let c = windowFrom; c <= windowTo; c++) {
      if (c == i) continue;
      const slot = slotOf(c);
      addTwice(neu1e, <f32>rowCount(wordAt(c)), slot, slot + rowBytes);
    }
    examples += 1;
  }
  // No later centre word's window reaches back to i - window.
  flushThrough(min(i - <i32>window, filled));
}

/** sum += count * e and pending += e, in one pass over e. */
@inline function addTwice(e: usize, count: f32, sum: usize, pending: usize): void {
  const n = f32x4.splat(count);
  for (let k: usize = 0; k < rowBytes; k += 16) {
    const x = v128.load(e + k);
    v128.store(sum + k, f32x4.add(v128.load(sum + k), f32x4.mul(n, x)));
    v128.store(pending + k, f32x4.add(v128.load(pending + k), x));
  }
}
