// The package as npm packs it, installed in a fresh project: what it ships,
// CommonJS and ES module users, what importing the library loads, and the
// optional PNG renderer.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const directory = mkdtempSync(join(tmpdir(), 'w2v-package-'));
after(() => rmSync(directory, { recursive: true, force: true }));

const project = join(directory, 'project');
const installed = join(project, 'node_modules', 'word2vec-ts');
let files: string[] = [];

interface PackResult {
  files: { path: string }[];
  size: number;
  filename: string;
}

before(() => {
  const packed = JSON.parse(
    execFileSync('npm', ['pack', '--json', '--pack-destination', directory], {
      cwd: repo,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }),
  ) as PackResult[];
  files = packed[0]!.files.map((f) => f.path);
  mkdirSync(installed, { recursive: true });
  execFileSync('tar', [
    '-xzf',
    join(directory, packed[0]!.filename),
    '-C',
    installed,
    '--strip-components=1',
  ]);
  // The runtime dependencies, as npm would install them; not the optional PNG renderer.
  const manifest = JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8')) as {
    dependencies: Record<string, string>;
  };
  for (const name of Object.keys(manifest.dependencies)) {
    symlinkSync(join(repo, 'node_modules', name), join(project, 'node_modules', name));
  }
});

function node(args: readonly string[]): { status: number | null; stdout: string; stderr: string } {
  const run = spawnSync(process.execPath, args, {
    cwd: project,
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

describe('the packed package', () => {
  test('ships a licence and the evaluation sets, and no source maps without their sources', () => {
    for (const file of ['LICENSE', 'index.cjs', 'data/questions-words.txt', 'data/wordsim353.tsv'])
      assert.ok(files.includes(file), `${file} is in the package`);
    assert.deepEqual(
      files.filter((f) => f.endsWith('.map')),
      [],
    );
    assert.match(readFileSync(join(installed, 'LICENSE'), 'utf8'), /^MIT License/);
  });

  test('CommonJS require() gives the library where Node.js loads ES modules from require()', () => {
    writeFileSync(
      join(project, 'use.cjs'),
      "const { train, loadVectors, KeyedVectors, datapath } = require('word2vec-ts');\n" +
        "console.log(typeof train, typeof loadVectors, typeof KeyedVectors, require('node:fs').existsSync(datapath('questions-words')));\n",
    );
    const run = node(['use.cjs']);
    assert.equal(run.status, 0, run.stderr);
    assert.equal(run.stdout.trim(), 'function function function true');
  });

  test('where require() cannot load ES modules, the message says how to import the package', () => {
    const run = node(['--no-experimental-require-module', 'use.cjs']);
    assert.notEqual(run.status, 0);
    assert.match(run.stderr, /word2vec-ts is an ES module/);
    assert.match(run.stderr, /import \{ train, loadVectors \} from 'word2vec-ts'/);
    assert.match(run.stderr, /await import\('word2vec-ts'\)/);
  });

  test('importing the library loads none of the command line and server dependencies', () => {
    writeFileSync(
      join(project, 'hooks.mjs'),
      'export async function resolve(specifier, context, next) {\n' +
        "  if (!specifier.startsWith('.') && !specifier.startsWith('node:') && !specifier.startsWith('file:'))\n" +
        '    console.log(`bare ${specifier}`);\n' +
        '  return next(specifier, context);\n' +
        '}\n',
    );
    writeFileSync(
      join(project, 'use.mjs'),
      "import { register } from 'node:module';\n" +
        "register('./hooks.mjs', import.meta.url);\n" +
        "const { KeyedVectors } = await import('word2vec-ts');\n" +
        "new KeyedVectors(['a', 'b'], new Float32Array([1, 0, 0, 1]), 2).mostSimilar({ positive: ['a'] });\n",
    );
    const run = node(['use.mjs']);
    assert.equal(run.status, 0, run.stderr);
    const loaded = run.stdout.split('\n').filter((line) => line.startsWith('bare '));
    assert.deepEqual(
      loaded.filter((line) => !['bare word2vec-ts', 'bare fastest-levenshtein'].includes(line)),
      [],
    );
  });

  test('w2v plot --out x.png says how to install the optional renderer when it is missing', () => {
    const log = join(project, 'train.jsonl');
    writeFileSync(
      log,
      JSON.stringify({
        phase: 'train',
        epoch: 1,
        epochs: 1,
        words: 10,
        totalWords: 10,
        alpha: 0.01,
        loss: 2,
      }) + '\n',
    );
    const main = join(installed, 'dist', 'src', 'cli', 'main.js');
    const png = node([main, 'plot', log, '--out', join(project, 'loss.png')]);
    assert.equal(png.status, 1);
    assert.match(
      png.stderr,
      /needs the optional package @resvg\/resvg-js.*npm install @resvg\/resvg-js/,
    );
    const svg = node([main, 'plot', log, '--out', join(project, 'loss.svg')]);
    assert.equal(svg.status, 0, svg.stderr);
  });
});
