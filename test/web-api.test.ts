// The JSON API of `w2v serve`: each endpoint, and each kind of bad request.
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { loadWord2Vec } from '../src/io/word2vec-format.js';
import type { KeyedVectors } from '../src/vectors/keyed-vectors.js';
import { pca2, project } from '../src/web/projection.js';
import {
  startServe,
  trainWebFixture,
  w2v,
  type ServeProcess,
  type WebFixture,
} from './web-fixture.js';

let fixture: WebFixture;
let server: ServeProcess;
let kv: KeyedVectors;

before(async () => {
  fixture = await trainWebFixture();
  kv = await loadWord2Vec(fixture.model);
  server = await startServe([fixture.model, '--log', fixture.log]);
});

after(async () => {
  await server?.stop();
  await fixture?.cleanup();
});

interface Reply {
  status: number;
  headers: Headers;
  body: Record<string, unknown>;
}

async function get(path: string, params: Record<string, string | number> = {}): Promise<Reply> {
  const query = new URLSearchParams(Object.entries(params).map(([k, v]) => [k, String(v)]));
  const response = await fetch(new URL(`${path}${query.size > 0 ? `?${query}` : ''}`, server.url));
  return {
    status: response.status,
    headers: response.headers,
    body: (await response.json()) as Record<string, unknown>,
  };
}

async function post(path: string, body: string, contentType = 'application/json'): Promise<Reply> {
  const response = await fetch(new URL(path, server.url), {
    method: 'POST',
    body,
    headers: { 'Content-Type': contentType },
  });
  return {
    status: response.status,
    headers: response.headers,
    body: (await response.json()) as Record<string, unknown>,
  };
}

/** A request with a raw, un-normalised path and any headers (fetch would clean up both). */
function raw(
  path: string,
  options: { method?: string; headers?: Record<string, string> } = {},
): Promise<{ status: number; body: string }> {
  const url = new URL(server.url);
  return new Promise((resolvePromise, reject) => {
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        path,
        method: options.method ?? 'GET',
        headers: options.headers,
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolvePromise({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

/** Every refusal is JSON with a readable message, and never a stack trace. */
function assertError(reply: Reply, status: number, message: RegExp): void {
  assert.equal(
    reply.status,
    status,
    `expected ${status}, got ${reply.status}: ${JSON.stringify(reply.body)}`,
  );
  assert.match(reply.headers.get('content-type') ?? '', /^application\/json/);
  assert.equal(typeof reply.body.error, 'string');
  assert.match(String(reply.body.error), message);
  assert.doesNotMatch(String(reply.body.error), /\bat .*\.js:\d+/);
}

type Scored = Array<{ word: string; similarity: number; rank: number }>;

describe('page and static files', () => {
  test('the page is served with a strict content security policy', async () => {
    const response = await fetch(server.url);
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /^text\/html/);
    assert.match(
      response.headers.get('content-security-policy') ?? '',
      /default-src 'none'; script-src 'self'/,
    );
    assert.equal(response.headers.get('x-content-type-options'), 'nosniff');
    const html = await response.text();
    assert.match(html, /<script type="module" src="\/app.js">/);
    for (const [path, type] of [
      ['/app.js', /^text\/javascript/],
      ['/style.css', /^text\/css/],
    ] as const) {
      const asset = await fetch(new URL(path, server.url));
      assert.equal(asset.status, 200, path);
      assert.match(asset.headers.get('content-type') ?? '', type);
    }
  });

  test("every module the page imports is served as JavaScript, and imports only the page's own", async () => {
    const seen = new Set<string>();
    const queue = ['/app.js'];
    for (let path = queue.shift(); path !== undefined; path = queue.shift()) {
      if (seen.has(path)) continue;
      seen.add(path);
      const response = await fetch(new URL(path, server.url));
      assert.equal(response.status, 200, path);
      assert.match(response.headers.get('content-type') ?? '', /^text\/javascript/, path);
      const source = await response.text();
      // Static imports and re-exports (`… from '…'`) and bare imports (`import '…'`).
      const imports = /^(?:(?:import|export)\b[^'";]*\bfrom\s*|import\s*)['"]([^'"]+)['"]/gm;
      for (const [, specifier] of source.matchAll(imports)) {
        assert.match(specifier!, /^\.\/[\w-]+\.js$/, `${path} imports ${specifier}`);
        queue.push(new URL(specifier!, new URL(path, 'http://page.invalid')).pathname);
      }
    }
    assert.ok(seen.size > 1, 'the page is split into modules');
  });

  test('serves nothing else: no source maps, no compiled modules, no files by name', async () => {
    for (const path of [
      '/app.js.map',
      '/app.ts',
      '/server.js',
      '/public/index.html',
      '/package.json',
      '/etc/passwd',
    ]) {
      const reply = await raw(path);
      assert.equal(reply.status, 404, path);
      assert.match(JSON.parse(reply.body).error, /not found/);
    }
  });

  test('paths with .. are refused, plain or percent-encoded', async () => {
    for (const path of [
      '/../../../etc/passwd',
      '/%2e%2e/%2e%2e/etc/passwd',
      '/index.html/../app.js',
      '/api/..%2f..%2fpackage.json',
      '/..\\..\\x',
    ]) {
      const reply = await raw(path);
      assert.equal(reply.status, 400, path);
      assert.match(JSON.parse(reply.body).error, /must not contain '\.\.'/);
    }
  });

  test('requests for another host name are refused (DNS rebinding)', async () => {
    const reply = await raw('/api/info', { headers: { Host: 'attacker.example:80' } });
    assert.equal(reply.status, 403);
    assert.match(JSON.parse(reply.body).error, /host 'attacker.example:80' is not allowed/);
    assert.equal(
      (await raw('/api/info', { headers: { Host: `localhost:${new URL(server.url).port}` } }))
        .status,
      200,
    );
  });
});

describe('GET /api/info', () => {
  test('gives the model facts, the log and the limits', async () => {
    const { status, body } = await get('/api/info');
    assert.equal(status, 200);
    assert.equal(body.file, 'model.bin');
    assert.equal(body.vocabSize, 84);
    assert.equal(body.dim, 24);
    assert.equal(body.log, 'train.jsonl');
    assert.ok(typeof body.fileBytes === 'number' && body.fileBytes > 84 * 24 * 4);
    assert.deepEqual(body.limits, {
      topn: 1000,
      mapWords: 20000,
      umapWords: 5000,
      completions: 50,
      placeWords: 250,
    });
    assert.deepEqual(body.defaults, { topn: 10, mapWords: 84 });
    assert.doesNotMatch(
      JSON.stringify(body),
      new RegExp(fixture.dir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')),
      'no directory is shown',
    );
  });

  test('takes no parameters', async () => {
    assertError(
      await get('/api/info', { x: 1 }),
      400,
      /unknown parameter 'x' \(this endpoint takes none\)/,
    );
  });
});

describe('/api/similar', () => {
  test('finds the planted neighbours, with the same scores as the library', async () => {
    let good = 0;
    for (const [word, topic] of fixture.corpus.topicOf) {
      const { status, body } = await get('/api/similar', { word, topn: 5 });
      assert.equal(status, 200);
      const neighbours = body.neighbours as Scored;
      assert.equal(neighbours.length, 5);
      if (neighbours.every((n) => fixture.topicOf(n.word) === topic)) good++;
      const expected = kv.mostSimilar({ positive: [word], topn: 5 });
      assert.deepEqual(
        neighbours.map((n) => [n.word, n.similarity, n.rank]),
        expected.map((n) => [n.word, n.similarity, kv.indexOf(n.word)]),
      );
    }
    assert.ok(
      good / fixture.corpus.topicOf.size >= 0.95,
      `only ${good} of 80 words have their topic as neighbours`,
    );
  });

  test('defaults to 10 neighbours and gives the word and its rank', async () => {
    const { body } = await get('/api/similar', { word: 'topic3word1' });
    assert.equal(body.word, 'topic3word1');
    assert.equal(body.rank, kv.indexOf('topic3word1'));
    assert.equal((body.neighbours as Scored).length, 10);
  });

  test('POST with a JSON body answers as GET does', async () => {
    const viaPost = await post('/api/similar', JSON.stringify({ word: 'topic2word5', topn: 3 }));
    const viaGet = await get('/api/similar', { word: 'topic2word5', topn: 3 });
    assert.equal(viaPost.status, 200);
    assert.deepEqual(viaPost.body, viaGet.body);
  });

  test('topn up to 1000 is capped by the vocabulary; restrict limits the candidates', async () => {
    assert.equal(
      ((await get('/api/similar', { word: 'the', topn: 1000 })).body.neighbours as Scored).length,
      83,
    );
    const restricted = (await get('/api/similar', { word: 'the', topn: 50, restrict: 10 })).body
      .neighbours as Scored;
    assert.equal(restricted.length, 9);
    assert.ok(restricted.every((n) => n.rank < 10));
  });

  test('bad requests get a 4xx with a clear message', async () => {
    assertError(await get('/api/similar'), 400, /missing parameter 'word'/);
    assertError(await get('/api/similar', { word: '' }), 400, /parameter 'word' is empty/);
    assertError(
      await get('/api/similar', { word: 'nosuchword' }),
      404,
      /word 'nosuchword' is not in the vocabulary/,
    );
    assertError(await get('/api/similar', { word: 'THE' }), 404, /did you mean 'the'\?/);
    assertError(
      await get('/api/similar', { word: 'the', topn: 1001 }),
      400,
      /'topn' must be between 1 and 1000, got 1001/,
    );
    assertError(
      await get('/api/similar', { word: 'the', topn: 0 }),
      400,
      /'topn' must be between 1 and 1000/,
    );
    assertError(
      await get('/api/similar', { word: 'the', topn: '1e9' }),
      400,
      /'topn' must be an integer/,
    );
    assertError(
      await get('/api/similar', { word: 'the', topn: 2.5 }),
      400,
      /'topn' must be an integer/,
    );
    assertError(
      await get('/api/similar', { word: 'x'.repeat(1001) }),
      400,
      /longer than 1000 characters/,
    );
    assertError(
      await get('/api/similar', { word: 'the', topN: 5 }),
      400,
      /unknown parameter 'topN' \(expected 'word', 'topn', 'restrict'\)/,
    );
    const twice = await raw('/api/similar?word=the&word=of');
    assert.equal(twice.status, 400);
    assert.match(JSON.parse(twice.body).error, /parameter 'word' is given more than once/);
    assertError(
      await post('/api/similar', JSON.stringify({ word: 42 })),
      400,
      /parameter 'word' must be a string/,
    );
    assertError(
      await post('/api/similar', JSON.stringify({ word: 'the', topn: '5x' })),
      400,
      /'topn' must be an integer/,
    );
  });
});

describe('/api/analogy', () => {
  test('a is to b as c is to ?: b - a + c, without the query words', async () => {
    // Within a topic a and b nearly cancel, so the answer comes from c's topic.
    const { status, body } = await get('/api/analogy', {
      a: 'topic0word0',
      b: 'topic0word1',
      c: 'topic5word0',
      topn: 5,
    });
    assert.equal(status, 200);
    assert.equal(body.method, 'add');
    const answers = body.answers as Scored;
    assert.equal(answers.length, 5);
    assert.equal(fixture.topicOf(answers[0]!.word), 5);
    for (const word of ['topic0word0', 'topic0word1', 'topic5word0'])
      assert.ok(!answers.some((n) => n.word === word));
    const expected = kv.mostSimilar({
      positive: ['topic0word1', 'topic5word0'],
      negative: ['topic0word0'],
      topn: 5,
    });
    assert.deepEqual(
      answers.map((n) => n.word),
      expected.map((n) => n.word),
    );
  });

  test('method=mul uses 3CosMul', async () => {
    const { body } = await post(
      '/api/analogy',
      JSON.stringify({
        a: 'topic0word0',
        b: 'topic0word1',
        c: 'topic5word0',
        method: 'mul',
        topn: 3,
      }),
    );
    const expected = kv.mostSimilarCosmul({
      positive: ['topic0word1', 'topic5word0'],
      negative: ['topic0word0'],
      topn: 3,
    });
    assert.deepEqual(
      (body.answers as Scored).map((n) => n.word),
      expected.map((n) => n.word),
    );
  });

  test('bad requests get a 4xx with a clear message', async () => {
    assertError(await get('/api/analogy', { a: 'the', b: 'of' }), 400, /missing parameter 'c'/);
    assertError(
      await get('/api/analogy', { a: 'the', b: 'nosuchword', c: 'of' }),
      404,
      /'nosuchword' is not in the vocabulary/,
    );
    assertError(
      await get('/api/analogy', { a: 'the', b: 'of', c: 'a', method: 'best' }),
      400,
      /'method' must be one of 'add', 'mul'/,
    );
    assertError(
      await get('/api/analogy', { a: 'the', b: 'of', c: 'a', topn: 100000 }),
      400,
      /between 1 and 1000/,
    );
  });
});

describe('/api/vector', () => {
  test('gives the raw vector, exactly', async () => {
    const { status, body } = await get('/api/vector', { word: 'topic7word3' });
    assert.equal(status, 200);
    assert.equal(body.dim, 24);
    assert.deepEqual(body.vector, Array.from(kv.vector('topic7word3')));
    const norm = Math.hypot(...kv.vector('topic7word3'));
    assert.ok(Math.abs((body.norm as number) - norm) < 1e-9);
  });

  test('bad requests get a 4xx', async () => {
    assertError(await get('/api/vector'), 400, /missing parameter 'word'/);
    assertError(await get('/api/vector', { word: 'nosuchword' }), 404, /not in the vocabulary/);
  });
});

describe('/api/complete', () => {
  test('completes a prefix from the vocabulary, most frequent first', async () => {
    const { body } = await get('/api/complete', { prefix: 'topic4', limit: 5 });
    const words = body.words as Array<{ word: string; rank: number }>;
    assert.equal(words.length, 5);
    assert.ok(words.every((w) => w.word.startsWith('topic4') && kv.indexOf(w.word) === w.rank));
    const ranks = words.map((w) => w.rank);
    assert.deepEqual(
      ranks,
      [...ranks].sort((x, y) => x - y),
    );
    assert.deepEqual((await get('/api/complete', { prefix: 'zzz' })).body.words, []);
  });

  test('says whether the prefix is itself a word', async () => {
    assert.equal((await get('/api/complete', { prefix: 'topic4word1' })).body.exact, true);
    assert.equal((await get('/api/complete', { prefix: 'topic4word' })).body.exact, false);
  });

  test('bad requests get a 4xx', async () => {
    assertError(await get('/api/complete'), 400, /missing parameter 'prefix'/);
    assertError(
      await get('/api/complete', { prefix: 't', limit: 51 }),
      400,
      /'limit' must be between 1 and 50/,
    );
  });
});

describe('/api/map', () => {
  test('projects the N most frequent words with PCA, deterministically', async () => {
    const { status, body } = await get('/api/map', { n: 50 });
    assert.equal(status, 200);
    assert.equal(body.method, 'pca');
    assert.equal(body.count, 50);
    assert.deepEqual(body.words, kv.words.slice(0, 50));
    const coords = body.coords as number[];
    assert.equal(coords.length, 100);
    assert.ok(coords.every(Number.isFinite));
    const [first, second] = body.explainedVariance as [number, number];
    assert.ok(first >= second && second > 0 && first + second <= 1);
    assert.deepEqual((await get('/api/map', { n: 50 })).body.coords, coords);
  });

  test('defaults to 2,000 words, capped by the vocabulary', async () => {
    const { body } = await get('/api/map');
    assert.equal(body.requested, 2000);
    assert.equal(body.count, 84);
  });

  test('UMAP on request', async () => {
    const { status, body } = await get('/api/map', { n: 40, method: 'umap' });
    assert.equal(status, 200);
    assert.equal(body.method, 'umap');
    assert.equal((body.coords as number[]).length, 80);
    assert.ok((body.coords as number[]).every(Number.isFinite));
    assert.equal(body.explainedVariance, null);
  });

  test('N and the method are checked', async () => {
    assertError(await get('/api/map', { n: 20001 }), 400, /'n' must be between 1 and 20000/);
    assertError(
      await get('/api/map', { n: 5001, method: 'umap' }),
      400,
      /'n' must be between 1 and 5000/,
    );
    assertError(await get('/api/map', { n: 0 }), 400, /'n' must be between 1/);
    assertError(
      await get('/api/map', { method: 'tsne' }),
      400,
      /'method' must be one of 'pca', 'umap'/,
    );
  });
});

describe('/api/place', () => {
  test('projects words beyond a PCA map with its fitted axes; the map’s own keep their points', async () => {
    const map = (await get('/api/map', { n: 20 })).body;
    const words = ['topic7word5', kv.words[3]!, 'topic7word5', 'topic2word0'];
    const { status, body } = await get('/api/place', { n: 20, words: words.join(' ') });
    assert.equal(status, 200);
    assert.deepEqual(body.words, ['topic7word5', kv.words[3], 'topic2word0']);
    assert.deepEqual(body.leftOut, []);
    const coords = body.coords as number[];
    assert.deepEqual(coords.slice(2, 4), (map.coords as number[]).slice(6, 8));
    // The same projection, computed here: centred by the 20 words' mean, on their two principal axes.
    const unit = kv.unitVectors();
    const fitted = pca2(unit.subarray(0, 20 * kv.dim), 20, kv.dim);
    for (const [i, word] of [
      [0, 'topic7word5'],
      [2, 'topic2word0'],
    ] as const) {
      const row = unit.subarray(kv.indexOf(word) * kv.dim, (kv.indexOf(word) + 1) * kv.dim);
      for (let axis = 0; axis < 2; axis++) {
        let expected = 0;
        for (let k = 0; k < kv.dim; k++)
          expected += (row[k]! - fitted.mean[k]!) * fitted.components[axis * kv.dim + k]!;
        assert.ok(Math.abs(coords[2 * i + axis]! - expected) < 1e-4, `${word} axis ${axis}`);
      }
    }
  });

  test('places words on a UMAP map among their neighbours, the same each time', async () => {
    const map = (await get('/api/map', { n: 40, method: 'umap' })).body;
    const mapWords = map.words as string[];
    const mapCoords = map.coords as number[];
    // Two words beyond the map whose topic has 5 words or more on it (UMAP places a word among its 15 nearest).
    const onMap = (topic: number | undefined): number =>
      mapWords.filter((w) => topic !== undefined && fixture.topicOf(w) === topic).length;
    const placedWords = kv.words
      .slice(40)
      .filter((w) => onMap(fixture.topicOf(w)) >= 5)
      .slice(0, 2);
    assert.equal(placedWords.length, 2);
    const query = [...placedWords, ...mapWords.slice(0, 2)];
    const first = (await get('/api/place', { n: 40, method: 'umap', words: query.join(' ') })).body;
    assert.equal(first.method, 'umap');
    const coords = first.coords as number[];
    assert.deepEqual(coords.slice(4), mapCoords.slice(0, 4), "the map's words keep their points");
    const again = await get('/api/place', {
      n: 40,
      method: 'umap',
      words: `${placedWords[1]} ${placedWords[0]}`,
    });
    assert.deepEqual(again.body.coords, [...coords.slice(2, 4), ...coords.slice(0, 2)]);
    // A placed word lies nearer the map's words of its topic than those of the others, on the whole.
    for (const [i, word] of query.slice(0, 2).entries()) {
      const topic = fixture.topicOf(word);
      const distances = { own: [] as number[], other: [] as number[] };
      mapWords.forEach((w, j) => {
        if (fixture.topicOf(w) === undefined) return;
        const d = Math.hypot(
          mapCoords[2 * j]! - coords[2 * i]!,
          mapCoords[2 * j + 1]! - coords[2 * i + 1]!,
        );
        (fixture.topicOf(w) === topic ? distances.own : distances.other).push(d);
      });
      const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
      assert.ok(distances.own.length > 0, `the map of 40 holds words of ${word}'s topic`);
      assert.ok(
        mean(distances.own) < mean(distances.other),
        `${word}: ${mean(distances.own)} vs ${mean(distances.other)}`,
      );
    }
  });

  test('the words are checked', async () => {
    assertError(
      await get('/api/place', { n: 20, words: 'nosuchword' }),
      404,
      /word 'nosuchword' is not in the vocabulary/,
    );
    assertError(await get('/api/place', { n: 20, words: '  ' }), 400, /'words' holds no word/);
    assertError(await get('/api/place', { n: 20 }), 400, /missing parameter 'words'/);
    assertError(
      await get('/api/place', { n: 20, words: Array(251).fill('the').join(' ') }),
      400,
      /'words' holds 251 words; at most 250/,
    );
    assertError(
      await get('/api/place', { n: 5001, method: 'umap', words: 'the' }),
      400,
      /'n' must be between 1 and 5000/,
    );
  });
});

describe('/api/map-stream', () => {
  test('sends the UMAP epochs as they are done, then the map /api/map gives', async () => {
    const response = await fetch(new URL('/api/map-stream?n=30&method=umap', server.url));
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /^application\/x-ndjson/);
    const lines = (await response.text())
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    const progress = lines
      .slice(0, -1)
      .map((l) => l.progress as { stage: string; done: number; total: number });
    assert.ok(progress.every(Boolean), 'progress lines, then the map');
    const epochs = progress.filter((p) => p.stage === 'layout');
    assert.ok(epochs.length >= 10, `${epochs.length} progress lines`);
    assert.deepEqual(
      epochs.map((p) => p.done),
      [...epochs.map((p) => p.done)].sort((a, b) => a - b),
    );
    assert.deepEqual(epochs.at(-1), { stage: 'layout', done: 500, total: 500 });
    const map = lines.at(-1)!.map as Record<string, unknown>;
    const plain = (await get('/api/map', { n: 30, method: 'umap' })).body;
    assert.deepEqual(map.coords, plain.coords);
    assert.deepEqual(map.words, plain.words);
  });

  test('refuses bad parameters before it starts', async () => {
    assertError(
      await get('/api/map-stream', { n: 5001, method: 'umap' }),
      400,
      /'n' must be between 1 and 5000/,
    );
  });
});

describe('/api/log and /api/loss.svg', () => {
  test('give the training progress and the loss curve', async () => {
    const { status, body } = await get('/api/log');
    assert.equal(status, 200);
    assert.equal(body.file, 'train.jsonl');
    assert.equal(body.done, true);
    const records = body.records as Array<{
      words: number;
      totalWords: number;
      loss: number | null;
      alpha: number;
    }>;
    assert.ok(records.length >= 1);
    const last = records.at(-1)! as (typeof records)[number] & { epochLoss: number };
    assert.equal(last.words, last.totalWords);
    assert.ok(typeof last.loss === 'number' && last.loss > 0);
    const ending = `epoch loss ${last.epochLoss.toFixed(4)}`;
    assert.equal(body.lastLoss, ending);

    const svg = await fetch(new URL('/api/loss.svg', server.url));
    assert.equal(svg.status, 200);
    assert.match(svg.headers.get('content-type') ?? '', /^image\/svg\+xml/);
    assert.match(
      await svg.text(),
      new RegExp(
        `^<svg [^>]*width="760" height="320"[\\s\\S]*Training loss[\\s\\S]*>interval loss<[\\s\\S]*>${ending}<[\\s\\S]*</svg>\n$`,
      ),
    );
  });

  test('without --log they answer 404 with a hint', async () => {
    const plain = await startServe([fixture.model]);
    try {
      const info = await fetch(new URL('/api/info', plain.url)).then(
        (r) => r.json() as Promise<Record<string, unknown>>,
      );
      assert.equal(info.log, null);
      const response = await fetch(new URL('/api/log', plain.url));
      assert.equal(response.status, 404);
      assert.match(
        ((await response.json()) as { error: string }).error,
        /start the server with --log <file.jsonl>/,
      );
    } finally {
      assert.equal(await plain.stop(), 0, 'Ctrl-C stops the server cleanly');
    }
  });
});

describe('malformed requests', () => {
  test('malformed JSON, non-object bodies and empty bodies get 400', async () => {
    assertError(
      await post('/api/similar', '{"word": "the",'),
      400,
      /malformed JSON in the request body/,
    );
    assertError(await post('/api/similar', '["the"]'), 400, /must be a JSON object/);
    assertError(await post('/api/similar', ''), 400, /the request body is empty/);
  });

  test('a body that is not JSON gets 415', async () => {
    assertError(
      await post('/api/similar', 'word=the', 'application/x-www-form-urlencoded'),
      415,
      /Content-Type: application\/json/,
    );
  });

  test('a body over 16 KiB gets 413', async () => {
    assertError(
      await post('/api/similar', JSON.stringify({ word: 'x'.repeat(20_000) })),
      413,
      /larger than 16384 bytes/,
    );
  });

  test('other methods get 405 with Allow', async () => {
    const put = await fetch(new URL('/api/similar?word=the', server.url), { method: 'PUT' });
    assert.equal(put.status, 405);
    assert.equal(put.headers.get('allow'), 'GET, POST');
    assert.match(
      ((await put.json()) as { error: string }).error,
      /PUT is not allowed on \/api\/similar/,
    );
    const del = await fetch(new URL('/', server.url), { method: 'DELETE' });
    assert.equal(del.status, 405);
    assert.equal(del.headers.get('allow'), 'GET, HEAD');
  });

  test('unknown endpoints get 404', async () => {
    assertError(
      await get('/api/neighbours', { word: 'the' }),
      404,
      /no such endpoint: \/api\/neighbours/,
    );
  });

  test('the server keeps answering after all of the above', async () => {
    assert.equal((await get('/api/similar', { word: 'the' })).status, 200);
    assert.equal(server.child.exitCode, null);
    assert.doesNotMatch(server.stderr(), /internal error|Error:/);
  });
});

describe('w2v serve command line', () => {
  test('a missing model is an input error (exit 1)', async () => {
    const { status, stderr } = await w2v(['serve', `${fixture.dir}/missing.bin`]);
    assert.equal(status, 1);
    assert.match(stderr, /model file '.*missing\.bin' does not exist/);
  });

  test('a bad port or a port in use is a usage error (exit 2)', async () => {
    const bad = await w2v(['serve', fixture.model, '--port', '70000']);
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /port number from 0 to 65535/);
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    try {
      const busy = await w2v(['serve', fixture.model, '--port', String(port)]);
      assert.equal(busy.status, 2);
      assert.match(busy.stderr, new RegExp(`127\\.0\\.0\\.1:${port} is already in use`));
      assert.doesNotMatch(busy.stderr, /^\s+at /m);
    } finally {
      blocker.close();
    }
  });
});

describe('projection', () => {
  test('PCA finds the axes of largest variance, largest first, with a fixed sign', () => {
    // Points spread 10× along (1, 1, 0) and 3× along (1, -1, 0), none along z.
    const rows: number[] = [];
    for (let i = 0; i < 200; i++) {
      const s = Math.sin(i * 12.9898) * 10;
      const t = Math.cos(i * 78.233) * 3;
      rows.push((s + t) / Math.SQRT2 + 5, (s - t) / Math.SQRT2 - 2, 0.001 * Math.sin(i));
    }
    const result = pca2(rows, 200, 3);
    const axis = Array.from(result.components.subarray(0, 3));
    assert.ok(
      Math.abs(axis[0]! - Math.SQRT1_2) < 0.02 && Math.abs(axis[1]! - Math.SQRT1_2) < 0.02,
      `first axis ${axis}`,
    );
    assert.ok(result.explainedVariance[0] > 0.85 && result.explainedVariance[1] > 0.05);
    assert.ok(result.explainedVariance[0] + result.explainedVariance[1] > 0.999);
    // The projection is centred.
    let meanX = 0;
    for (let i = 0; i < 200; i++) meanX += result.coords[2 * i]! / 200;
    assert.ok(Math.abs(meanX) < 1e-9);
  });

  test('PCA of identical rows puts every point at the origin', async () => {
    const projection = await project(new Float32Array(40).fill(0.5), 10, 4, 'pca');
    assert.ok(projection.coords.every((v) => v === 0));
  });
});
