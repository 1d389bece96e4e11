// Neighbour latency of `w2v serve`: starts the server on 127.0.0.1 with a
// model, then sends /api/similar requests for a spread of vocabulary words,
// first with autocannon (whole milliseconds), then timed one by one with a
// high-resolution clock. Prints the median and the 99th percentile.
//
//   npm run build && node dist/bench/serve-latency.js vectors.bin [--requests 1000] [--connections 1] [--topn 10]
import { spawn } from 'node:child_process';
import { Agent, request } from 'node:http';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { loadWord2Vec } from '../src/io/word2vec-format.js';

const MAIN = fileURLToPath(new URL('../src/cli/main.js', import.meta.url));

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    requests: { type: 'string', default: '1000' },
    connections: { type: 'string', default: '1' },
    topn: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '100' },
    json: { type: 'boolean', default: false },
  },
});
const model = positionals[0];
if (!model) {
  process.stderr.write(
    'usage: node dist/bench/serve-latency.js <model> [--requests 1000] [--connections 1] [--topn 10] [--json]\n',
  );
  process.exit(2);
}
const requests = Number(values.requests);
const connections = Number(values.connections);
const topn = Number(values.topn);
const warmup = Number(values.warmup);

/** Query words spread evenly over the 30,000 most frequent (rare words cost the same: every query scans all rows). */
async function queryWords(): Promise<{ words: string[]; size: number; dim: number }> {
  const kv = await loadWord2Vec(model!, { limit: 30_000 });
  const words: string[] = [];
  for (let i = 0; i < requests; i++) words.push(kv.words[Math.floor((i * kv.size) / requests)]!);
  return { words, size: kv.size, dim: kv.dim };
}

function startServer(): Promise<{
  url: URL;
  stop: () => void;
  info: () => Promise<{ vocabSize: number; dim: number }>;
}> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(
      process.execPath,
      [MAIN, 'serve', model!, '--port', '0', '--host', '127.0.0.1', '--quiet'],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    let stdout = '';
    child.on('exit', (code) => reject(new Error(`w2v serve exited with ${code}`)));
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      const match = /Serving on (http:\/\/127\.0\.0\.1:\d+\/)/.exec(stdout);
      if (!match) return;
      const url = new URL(match[1]!);
      resolvePromise({
        url,
        stop: () => child.kill('SIGINT'),
        info: async () =>
          (await (await fetch(new URL('/api/info', url))).json()) as {
            vocabSize: number;
            dim: number;
          },
      });
    });
  });
}

const pathFor = (word: string): string =>
  `/api/similar?word=${encodeURIComponent(word)}&topn=${topn}`;

/** One request on a keep-alive connection; resolves with milliseconds from send to the last byte. */
function timedGet(url: URL, agent: Agent, path: string): Promise<number> {
  return new Promise((resolvePromise, reject) => {
    const started = process.hrtime.bigint();
    const req = request({ host: url.hostname, port: url.port, path, agent }, (res) => {
      res.resume();
      res.on('end', () => {
        if (res.statusCode !== 200) reject(new Error(`${path}: HTTP ${res.statusCode}`));
        else resolvePromise(Number(process.hrtime.bigint() - started) / 1e6);
      });
    });
    req.on('error', reject);
    req.end();
  });
}

function percentile(sorted: readonly number[], p: number): number {
  // Nearest rank, as hdr-histogram and autocannon report.
  return sorted[
    Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))
  ]!;
}

const { words } = await queryWords();
const server = await startServer();
try {
  const info = await server.info();
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  for (let i = 0; i < warmup; i++)
    await timedGet(server.url, agent, pathFor(words[i % words.length]!));

  // autocannon: `requests` requests over `connections` connections, each on the next query word.
  let next = 0;
  const cannon = await autocannon({
    url: server.url.origin,
    connections,
    amount: requests,
    requests: [
      {
        method: 'GET',
        setupRequest: (req) => ({ ...req, path: pathFor(words[next++ % words.length]!) }),
      },
    ],
  });
  if (cannon.non2xx > 0 || cannon.errors > 0)
    throw new Error(`autocannon: ${cannon.non2xx} non-2xx answers, ${cannon.errors} errors`);

  // The same requests one at a time, timed to the microsecond.
  const times: number[] = [];
  for (const word of words) times.push(await timedGet(server.url, agent, pathFor(word)));
  agent.destroy();
  times.sort((x, y) => x - y);

  const result = {
    model,
    vocabSize: info.vocabSize,
    dim: info.dim,
    requests,
    topn,
    autocannon: {
      connections,
      medianMs: cannon.latency.p50,
      p99Ms: cannon.latency.p99,
      maxMs: cannon.latency.max,
      requestsPerSecond: cannon.requests.average,
    },
    sequential: {
      medianMs: Number(percentile(times, 50).toFixed(3)),
      p99Ms: Number(percentile(times, 99).toFixed(3)),
      maxMs: Number(times.at(-1)!.toFixed(3)),
    },
  };
  if (values.json) {
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } else {
    const n = (x: number): string => x.toLocaleString('en-US');
    process.stdout.write(
      [
        `model        ${model} (${n(info.vocabSize)} words × ${info.dim} dimensions)`,
        `requests     ${n(requests)} × GET /api/similar?word=…&topn=${topn}, ${n(words.length)} different words`,
        `autocannon   ${connections} connection${connections === 1 ? '' : 's'}: median ${result.autocannon.medianMs} ms, ` +
          `p99 ${result.autocannon.p99Ms} ms, max ${result.autocannon.maxMs} ms (whole ms), ${n(Math.round(result.autocannon.requestsPerSecond))} requests/s`,
        `one by one   median ${result.sequential.medianMs.toFixed(2)} ms, p99 ${result.sequential.p99Ms.toFixed(2)} ms, ` +
          `max ${result.sequential.maxMs.toFixed(2)} ms`,
      ].join('\n') + '\n',
    );
  }
} finally {
  server.stop();
}
