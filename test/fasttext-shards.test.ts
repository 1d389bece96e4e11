// A fastText model's words' vectors loaded into several small shards are
// those of the same model loaded into one array: the same vectors, for seen
// and unseen words, and the same answers; saved again, it gives the vectors
// it was loaded with.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadFastTextBin } from '../src/io/fasttext-bin-read.js';
import { saveFastTextBin } from '../src/io/fasttext-bin-write.js';
import { writeSyntheticFastText, unseenWord } from '../bench/synthetic-fasttext.js';
import { syntheticWord } from '../bench/synthetic-model.js';

const spec = {
  words: 1003,
  buckets: 2011,
  dim: 22,
  minn: 3,
  maxn: 6,
  rank: 5,
  noise: 0.1,
  seed: 7,
};

test('sharded loading gives the vectors and answers of unsharded loading', async () => {
  const directory = mkdtempSync(join(tmpdir(), 'w2v-fasttext-shards-'));
  try {
    const path = join(directory, 'model.bin');
    await writeSyntheticFastText(spec, path);
    const whole = await loadFastTextBin(path);
    const sharded = await loadFastTextBin(path, { shardRows: 97 });
    assert.equal(sharded.size, spec.words);
    for (let row = 0; row < spec.words; row++)
      assert.deepEqual(sharded.row(row), whole.row(row), `row ${row}`);
    const words = [0, 96, 97, 500, 1002].flatMap((row) => [syntheticWord(row), unseenWord(row)]);
    for (const word of words) {
      assert.deepEqual(sharded.vector(word), whole.vector(word), word);
      const query = { positive: [word], topn: 10 };
      assert.deepEqual(sharded.mostSimilar(query), whole.mostSimilar(query), word);
    }
    const pair = { positive: [unseenWord(3), syntheticWord(700)], negative: [syntheticWord(5)] };
    assert.deepEqual(sharded.mostSimilar(pair), whole.mostSimilar(pair));
    assert.equal(
      sharded.similarity(unseenWord(9), syntheticWord(9)),
      whole.similarity(unseenWord(9), syntheticWord(9)),
    );

    // Saved from the shards (own rows found from the vectors), it loads with the same vectors within float32 rounding.
    const again = join(directory, 'again.bin');
    await saveFastTextBin(sharded, again);
    const back = await loadFastTextBin(again);
    for (const word of words) {
      const a = back.vector(word);
      const b = whole.vector(word);
      for (let k = 0; k < spec.dim; k++)
        assert.ok(Math.abs(a[k]! - b[k]!) <= 1e-5, `${word}[${k}]: ${a[k]} vs ${b[k]}`);
    }
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
});
