// The explorer on awkward models and clients: maps of models with non-finite rows,
// words that cannot be compared, and projections nobody waits for any more.
import { test, after, before, describe } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { seededRandom } from '../src/sampling/random.js';
import { KeyedVectors } from '../src/vectors/keyed-vectors.js';
import { startExplorer, type RunningExplorer } from '../src/web/server.js';
import { startServe } from './web-fixture.js';

const directory = mkdtempSync(join(tmpdir(), 'w2v-web-safety-'));
after(() => rmSync(directory, { recursive: true, force: true }));

/** `size` random words of 16 dimensions; every `nanEvery`-th row (from row 2) holds NaN or infinities. */
function randomModel(size: number, nanEvery = 0): KeyedVectors {
  const dim = 16;
  const random = seededRandom(5);
  const vectors = Float32Array.from({ length: size * dim }, () => random() - 0.5);
  const words = Array.from({ length: size }, (_, i) => `w${i}`);
  if (nanEvery > 0) {
    for (let row = 2; row < size; row += nanEvery)
      vectors[row * dim + (row % dim)] = row % 2 === 0 ? NaN : -Infinity;
  }
  return new KeyedVectors(words, vectors, dim);
}

async function get(
  explorer: RunningExplorer,
  path: string,
  signal?: AbortSignal,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(new URL(path, explorer.url), { signal });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe('a model with NaN or infinite rows', () => {
  const kv = randomModel(300, 3);
  const nonFinite = new Set(kv.nonFiniteRows().map((row) => kv.words[row]!));
  let explorer: RunningExplorer;
  before(async () => {
    explorer = await startExplorer({ vectors: kv, modelPath: 'model.bin', port: 0 });
  });
  after(() => explorer.close());

  for (const method of ['umap', 'pca']) {
    test(`the ${method.toUpperCase()} map leaves the non-finite rows out and says how many`, async () => {
      const { status, body } = await get(explorer, `/api/map?method=${method}&n=120`);
      assert.equal(status, 200, JSON.stringify(body));
      const words = body.words as string[];
      const leftOut = kv.words.slice(0, 120).filter((word) => nonFinite.has(word)).length;
      assert.equal(leftOut, 40);
      assert.equal(body.leftOut, leftOut);
      assert.equal(body.count, 120 - leftOut);
      assert.deepEqual(
        words,
        kv.words.slice(0, 120).filter((word) => !nonFinite.has(word)),
      );
      const coords = body.coords as number[];
      assert.equal(coords.length, 2 * words.length);
      assert.ok(coords.every(Number.isFinite));
      assert.ok(new Set(coords).size > 10, 'the points are spread out');
      // Words beyond the map are placed on it, the non-finite ones left out and named.
      const placed = await get(explorer, `/api/place?method=${method}&n=120&words=w200+w202+w201`);
      assert.equal(placed.status, 200, JSON.stringify(placed.body));
      assert.deepEqual(placed.body.words, ['w202', 'w201']);
      assert.deepEqual(placed.body.leftOut, ['w200']);
      assert.ok((placed.body.coords as number[]).every(Number.isFinite));
    });
  }

  test('similar and analogy refuse a word with non-finite values with a 422 naming it, and never answer one', async () => {
    const refused = await get(explorer, '/api/similar?word=w2');
    assert.equal(refused.status, 422);
    assert.match(String(refused.body.error), /word 'w2' has NaN or infinite values/);
    const analogy = await get(explorer, '/api/analogy?a=w0&b=w1&c=w5');
    assert.equal(analogy.status, 422);
    assert.match(String(analogy.body.error), /'w5'/);
    const answered = await get(explorer, '/api/similar?word=w0&topn=1000');
    assert.equal(answered.status, 200);
    const neighbours = answered.body.neighbours as Array<{ word: string }>;
    assert.equal(neighbours.length, 300 - 1 - nonFinite.size);
    assert.ok(neighbours.every((n) => !nonFinite.has(n.word)));
  });
});

describe('projections nobody waits for', () => {
  let explorer: RunningExplorer;
  before(async () => {
    explorer = await startExplorer({ vectors: randomModel(5000), modelPath: 'model.bin', port: 0 });
  });
  after(() => explorer.close());

  /** CPU seconds this process (the worker threads included) uses over the next `ms`. */
  async function cpuSecondsOver(ms: number): Promise<number> {
    const start = process.cpuUsage();
    await new Promise((resolve) => setTimeout(resolve, ms));
    const used = process.cpuUsage(start);
    return (used.user + used.system) / 1e6;
  }

  test('an abandoned UMAP request stops its projection, and the next map is not kept waiting', async () => {
    const client = new AbortController();
    const abandoned = get(explorer, '/api/map?method=umap&n=5000', client.signal).catch(
      (error: unknown) => error,
    );
    await new Promise((resolve) => setTimeout(resolve, 300));
    // The machine may be busy with other work: compare with what the projection used while it was wanted.
    const busy = await cpuSecondsOver(1000);
    client.abort();
    assert.ok((await abandoned) instanceof Error);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const idle = await cpuSecondsOver(1000);
    assert.ok(
      idle < busy / 3,
      `${idle.toFixed(2)} CPU seconds in the second after the client left, ${busy.toFixed(2)} before`,
    );
    const started = performance.now();
    const next = await get(explorer, '/api/map?method=pca&n=100');
    assert.equal(next.status, 200);
    assert.ok(performance.now() - started < 3000, 'the next map waited for the abandoned one');
  });

  test('a projection goes on while another request waits for it, and is computed again once asked for after a cancel', async () => {
    const leaving = new AbortController();
    const left = get(explorer, '/api/map?method=umap&n=400', leaving.signal).catch(
      (error: unknown) => error,
    );
    const staying = get(explorer, '/api/map?method=umap&n=400');
    await new Promise((resolve) => setTimeout(resolve, 200));
    leaving.abort();
    assert.ok((await left) instanceof Error);
    const stayed = await staying;
    assert.equal(stayed.status, 200, JSON.stringify(stayed.body));
    assert.equal(stayed.body.count, 400);

    const cancelled = new AbortController();
    const gone = get(explorer, '/api/map?method=umap&n=300', cancelled.signal).catch(
      (error: unknown) => error,
    );
    await new Promise((resolve) => setTimeout(resolve, 200));
    cancelled.abort();
    await gone;
    const again = await get(explorer, '/api/map?method=umap&n=300');
    assert.equal(again.status, 200, JSON.stringify(again.body));
    assert.equal(again.body.count, 300);
  });
});

function warningCount(stderr: string): number {
  return stderr.split('\n').filter((line) => line.startsWith('w2v: warning: ')).length;
}

test('w2v serve prints loader warnings as "w2v: warning:" lines', async () => {
  const model = join(directory, 'duplicates.txt');
  writeFileSync(model, '4 2\nking 1 0\nqueen 0 1\nking 1 1\nnan nan 1\n');
  const server = await startServe([model]);
  try {
    // The warnings go to stderr before the address goes to stdout, but the two pipes may be read in either order.
    for (let waited = 0; warningCount(server.stderr()) < 2 && waited < 5000; waited += 50)
      await new Promise((resolve) => setTimeout(resolve, 50));
    const warnings = server
      .stderr()
      .split('\n')
      .filter((line) => line.startsWith('w2v: warning: '));
    assert.equal(warnings.length, 2, server.stderr());
    assert.match(warnings[0]!, /1 word appears more than once/);
    assert.match(warnings[1]!, /1 word has NaN or infinite values/);
  } finally {
    await server.stop();
  }
});
