// The SIMD kernel that makes a subword model's word vectors gives the bits
// of the float32 sums in TypeScript, for dimensions that are and are not a
// multiple of 4, and for words with no n-gram and with many.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NgramMemory } from '../src/subwords/ngram-memory.js';

function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32 - 0.5;
  };
}

for (const dim of [300, 7, 1]) {
  test(`the kernel's word vectors equal the TypeScript float32 means (dim ${dim})`, () => {
    const random = seeded(dim);
    const buckets = 5000;
    const space = NgramMemory.create(buckets, dim);
    assert.ok(space, 'the kernel is built');
    for (const chunk of space.rows.chunks)
      for (let i = 0; i < chunk.length; i++) chunk[i] = random();
    const words = 9000; // more than one batch
    const own = new Float32Array(words * dim).map(() => random());
    const ids = Array.from({ length: words }, (_, w) =>
      Int32Array.from({ length: w % 50 }, () => Math.floor((random() + 0.5) * buckets)),
    );

    const expected = own.slice();
    for (let w = 0; w < words; w++) {
      const sum = expected.subarray(w * dim, (w + 1) * dim);
      for (const id of ids[w]!) space.rows.addRowTo(id, sum);
      const scale = Math.fround(1 / (ids[w]!.length + 1));
      for (let k = 0; k < dim; k++) sum[k] = Math.fround(sum[k]! * scale);
    }

    const actual = own.slice();
    space.meanWords(
      words,
      (w) => ({ array: actual, at: w * dim }),
      (w, out) => {
        out.set(ids[w]!);
        return ids[w]!.length;
      },
      50,
    );
    assert.deepEqual(
      new Uint32Array(actual.buffer),
      new Uint32Array(expected.buffer),
      'the same bits',
    );
  });
}
