// `w2v train --log` records, and `w2v plot` turning them into SVG and PNG.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { parseProgressLog, progressRecord, type ProgressRecord } from '../src/io/progress-log.js';
import type { TrainProgress } from '../src/train/types.js';
import { lossChartSvg, niceTicks } from '../src/web/loss-chart.js';
import { writePlantedCorpus } from './planted-corpus.js';
import { w2v } from './web-fixture.js';

let dir: string;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'w2v-plot-test-'));
});

after(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A synthetic 3-epoch run: loss falling from 3 to about 2, learning rate from 0.025 to 0.0001. */
function syntheticLog(points = 30): string {
  const lines: string[] = [
    JSON.stringify({
      time: '2024-01-01T00:00:00.000Z',
      elapsedSeconds: 0.5,
      phase: 'vocab',
      epoch: 0,
      epochs: 3,
      words: 5000,
      totalWords: 0,
      alpha: 0.025,
      loss: null,
      wordsPerSecond: 10000,
    }),
  ];
  const total = 300_000;
  for (let i = 1; i <= points; i++) {
    const words = (total * i) / points;
    lines.push(
      JSON.stringify({
        time: new Date(Date.UTC(2024, 0, 1, 0, 0, i)).toISOString(),
        elapsedSeconds: 1 + i,
        phase: 'train',
        epoch: Math.min(3, Math.floor((3 * (i - 1)) / points) + 1),
        epochs: 3,
        words,
        totalWords: total,
        alpha: 0.025 - (0.025 - 0.0001) * (words / total),
        loss: i === 1 ? null : 2 + Math.exp(-i / 5),
        wordsPerSecond: 100_000,
      }),
    );
  }
  return lines.join('\n') + '\n';
}

function pngSize(bytes: Buffer): { width: number; height: number } {
  assert.deepEqual(
    [...bytes.subarray(0, 8)],
    [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a],
    'PNG signature',
  );
  assert.equal(bytes.subarray(12, 16).toString('ascii'), 'IHDR');
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

describe('w2v train --log', () => {
  let records: ProgressRecord[];

  before(async () => {
    const corpus = writePlantedCorpus(join(dir, 'planted.txt'), { sentences: 1000 });
    const log = join(dir, 'train.jsonl');
    await writeFile(log, 'old contents of the file\n');
    const result = await w2v([
      'train',
      '-i',
      corpus.path,
      '-o',
      join(dir, 'model.bin'),
      '--log',
      log,
      '--dim',
      '16',
      '--min-count',
      '1',
      '--epochs',
      '2',
      '--threads',
      '1',
      '--quiet',
    ]);
    assert.equal(result.status, 0, result.stderr);
    records = parseProgressLog(await readFile(log, 'utf8'));
  });

  test('writes one JSON record per progress report, replacing what the file held', () => {
    assert.ok(records.length >= 1);
    for (const record of records) {
      assert.deepEqual(Object.keys(record).sort(), [
        'alpha',
        'elapsedSeconds',
        'epoch',
        'epochLoss',
        'epochs',
        'loss',
        'phase',
        'time',
        'totalWords',
        'words',
        'wordsPerSecond',
      ]);
      assert.ok(!Number.isNaN(Date.parse(record.time)));
    }
  });

  test('ends with the finished run: all words, final learning rate, a loss', () => {
    const last = records.at(-1)!;
    assert.equal(last.phase, 'train');
    assert.equal(last.epochs, 2);
    assert.equal(last.epoch, 2);
    assert.equal(last.totalWords, 2 * 10_000);
    assert.equal(last.words, last.totalWords);
    assert.ok(Math.abs(last.alpha - 0.0001) < 1e-9);
    assert.ok(last.loss !== null && last.loss > 0);
  });

  test('a log in a missing directory is a usage error, before training', async () => {
    const result = await w2v([
      'train',
      '-i',
      join(dir, 'planted.txt'),
      '-o',
      join(dir, 'x.bin'),
      '--log',
      join(dir, 'no', 'such', 'log.jsonl'),
    ]);
    assert.equal(result.status, 2);
    assert.match(result.stderr, /--log: directory '.*no[/\\]such' does not exist/);
  });
});

describe('progress records', () => {
  test('NaN loss becomes null, and records read back', () => {
    const progress: TrainProgress = {
      phase: 'train',
      epoch: 1,
      epochs: 1,
      words: 10,
      totalWords: 100,
      fraction: 0.1,
      alpha: 0.02,
      loss: NaN,
      epochLoss: NaN,
      wordsPerSecond: 5,
      elapsedSeconds: 2,
      etaSeconds: NaN,
    };
    const record = progressRecord(progress, new Date(0));
    assert.equal(record.loss, null);
    assert.equal(record.time, '1970-01-01T00:00:00.000Z');
    assert.deepEqual(parseProgressLog(`${JSON.stringify(record)}\n`), [record]);
  });

  test('a truncated last line (a run still writing) is skipped; other bad lines are errors', () => {
    const good = syntheticLog(3).trim().split('\n');
    assert.equal(parseProgressLog(`${good.join('\n')}\n{"time": "2024`).length, 4);
    assert.throws(
      () => parseProgressLog(`${good[0]}\nnot json\n${good[1]}\n`, 'x.jsonl'),
      /x\.jsonl, line 2: not JSON/,
    );
    assert.throws(
      () => parseProgressLog('{"phase": "train"}\n', 'x.jsonl'),
      /x\.jsonl, line 1: not a progress record/,
    );
  });
});

describe('loss chart', () => {
  test('niceTicks picks round steps', () => {
    assert.deepEqual(niceTicks(0, 17.3, 5), [0, 5, 10, 15]);
    assert.deepEqual(niceTicks(1.93, 2.41, 5), [2, 2.1, 2.2, 2.3, 2.4]);
    assert.deepEqual(niceTicks(0, 0.025, 5), [0, 0.005, 0.01, 0.015, 0.02, 0.025]);
    assert.deepEqual(niceTicks(3, 3), [3]);
  });

  test('draws one vertex per loss value, epoch lines and both axes', () => {
    const records = parseProgressLog(syntheticLog(30));
    const svg = lossChartSvg(records, { width: 640, height: 320, title: 'Run <1> & co' });
    assert.match(svg, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg" width="640" height="320"/);
    assert.match(svg, /Run &#60;1&#62; &#38; co/, 'the title is escaped');
    const paths = [...svg.matchAll(/<path d="([^"]+)"/g)].map((m) => m[1]!);
    assert.equal(paths.length, 2, 'learning rate and loss');
    const vertices = (d: string): number => d.split(/[ML]/).filter((s) => s.trim() !== '').length;
    assert.equal(vertices(paths[0]!), 30, 'learning rate: every train record');
    assert.equal(vertices(paths[1]!), 29, 'loss: records with a loss');
    assert.match(svg, /epoch 2<\/text>[\s\S]*epoch 3<\/text>/);
    assert.match(svg, />words trained</);
    assert.match(svg, />learning rate</);
    assert.match(svg, />300k</, 'the words axis reaches the total');
  });

  test('a log without loss gives a frame that says so', () => {
    const svg = lossChartSvg(parseProgressLog(syntheticLog(1)));
    assert.match(svg, /No loss recorded yet/);
  });
});

describe('w2v plot', () => {
  let log: string;

  before(async () => {
    log = join(dir, 'synthetic.jsonl');
    await writeFile(log, syntheticLog(30));
  });

  test('writes an SVG', async () => {
    const out = join(dir, 'loss.svg');
    const result = await w2v(['plot', log, '--out', out]);
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /loss\.svg: 29 loss points, 800×400 SVG/);
    const svg = await readFile(out, 'utf8');
    assert.match(svg, /^<svg [^>]*width="800" height="400"/);
    assert.match(svg, /<\/svg>\n$/);
  });

  test('writes a PNG of the requested size, against time if asked', async () => {
    const out = join(dir, 'loss.png');
    const result = await w2v([
      'plot',
      log,
      '-o',
      out,
      '--width',
      '1000',
      '--height',
      '500',
      '--x',
      'time',
    ]);
    assert.equal(result.status, 0, result.stderr);
    const bytes = await readFile(out);
    assert.deepEqual(pngSize(bytes), { width: 1000, height: 500 });
    assert.ok(bytes.length > 5000, 'the image has content');
  });

  test('bad arguments and bad logs get clear errors', async () => {
    const gif = await w2v(['plot', log, '--out', join(dir, 'loss.gif')]);
    assert.equal(gif.status, 2);
    assert.match(gif.stderr, /--out: '.*loss\.gif' must end in \.svg or \.png/);

    const noDir = await w2v(['plot', log, '--out', join(dir, 'none', 'loss.svg')]);
    assert.equal(noDir.status, 2);
    assert.match(noDir.stderr, /directory '.*none' does not exist/);

    const missing = await w2v(['plot', join(dir, 'missing.jsonl'), '--out', join(dir, 'x.svg')]);
    assert.equal(missing.status, 1);
    assert.match(missing.stderr, /log file '.*missing\.jsonl' does not exist/);

    const vocabOnly = join(dir, 'vocab-only.jsonl');
    await writeFile(vocabOnly, `${syntheticLog(1).split('\n')[0]}\n`);
    const empty = await w2v(['plot', vocabOnly, '--out', join(dir, 'x.svg')]);
    assert.equal(empty.status, 1);
    assert.match(empty.stderr, /has no training loss yet/);

    const garbage = join(dir, 'garbage.jsonl');
    await writeFile(garbage, 'hello\nworld\n');
    const bad = await w2v(['plot', garbage, '--out', join(dir, 'x.svg')]);
    assert.equal(bad.status, 1);
    assert.match(bad.stderr, /garbage\.jsonl, line 1: not JSON/);
    assert.doesNotMatch(bad.stderr, /^\s+at /m);

    const tiny = await w2v(['plot', log, '--out', join(dir, 'x.svg'), '--width', '10']);
    assert.equal(tiny.status, 2);
    assert.match(tiny.stderr, /size from 100 to 8000 pixels/);
  });
});
