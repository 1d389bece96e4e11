// What users of word2vec.c, fastText and gensim type, and the command line's
// other surprises: other tools' flags, outputs that are not models, the loss
// figures, the interactive session, the evaluation sets by name.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseProgressLog } from '../src/io/progress-log.js';
import { loadVectors } from '../src/io/load.js';
import { parseSessionLine, wordCompleter } from '../src/cli/similar-session.js';
import { spawnSync } from 'node:child_process';
import { MAIN, w2v } from './cli-runner.js';
import { PYTHON, skipWithout } from './peers.js';
import { writePlantedCorpus } from './planted-corpus.js';

const directory = mkdtempSync(join(tmpdir(), 'w2v-cli-habits-'));
after(() => rmSync(directory, { recursive: true, force: true }));
const at = (name: string): string => join(directory, name);

let corpus: string;
let model: string;
let trainRun: { stdout: string; stderr: string };

before(async () => {
  corpus = writePlantedCorpus(at('corpus.txt'), { sentences: 1500 }).path;
  model = at('model.bin');
  const run = await w2v([
    'train',
    '-i',
    corpus,
    '-o',
    model,
    '--dim',
    '16',
    '--epochs',
    '2',
    '--threads',
    '1',
    '--min-count',
    '1',
    '--log',
    at('train.jsonl'),
  ]);
  assert.equal(run.status, 0, run.stderr);
  trainRun = run;
});

describe("other tools' flags", () => {
  test('a corpus given as an argument and word2vec.c flags get the command meant', async () => {
    const run = await w2v([
      'train',
      corpus,
      '-output',
      at('x.bin'),
      '-size',
      '300',
      '-cbow',
      '1',
      '-hs',
      '1',
      '-iter',
      '3',
    ]);
    assert.equal(run.status, 2);
    assert.match(run.stderr, /w2v train takes the corpus with -i\/--input, not as an argument/);
    assert.match(run.stderr, /'-output' is -o\/--output here/);
    assert.match(run.stderr, /word2vec\.c's -size is --dim here/);
    assert.match(run.stderr, /word2vec\.c's -cbow is --arch here/);
    assert.match(run.stderr, /word2vec\.c's -iter is --epochs here/);
    assert.ok(
      run.stderr.includes(
        `did you mean: w2v train -i ${corpus} --output ${at('x.bin')} --dim 300 --arch cbow --loss hs --epochs 3`,
      ),
      run.stderr,
    );
  });

  test("fastText's and gensim's names, with their values", async () => {
    const run = await w2v([
      'train',
      '-input',
      corpus,
      '-o',
      at('x.bin'),
      '-epoch',
      '2',
      '-ws',
      '3',
      '-neg',
      '4',
      '-t',
      '1e-4',
      '-minCount',
      '2',
      '-thread',
      '1',
      '--size',
      '50',
      'vector_size=20',
      'sg=0',
    ]);
    assert.equal(run.status, 2);
    for (const note of [
      /'-input' is -i\/--input here/,
      /fastText's -epoch is --epochs here/,
      /fastText's -ws is --window here/,
      /fastText's -neg is --negative here/,
      /fastText's -t is --sample here/,
      /'-minCount' is --min-count here/,
      /fastText's -thread is --threads here/,
      /word2vec\.c's -size is --dim here/,
      /gensim's vector_size is --dim here/,
      /gensim's sg is --arch here/,
    ])
      assert.match(run.stderr, note);
    assert.match(
      run.stderr,
      /did you mean: w2v train --input \S+ -o \S+ --epochs 2 --window 3 --negative 4 --sample 1e-4 --min-count 2 --threads 1 --dim 50 --dim 20 --arch cbow/,
    );
  });

  test('near misses of our own flags, with one dash or two, and in other commands', async () => {
    const dimm = await w2v(['train', '-i', corpus, '-o', at('x.bin'), '--dimm', '30']);
    assert.equal(dimm.status, 2);
    assert.match(dimm.stderr, /'--dimm' is not an option of w2v train: did you mean --dim\?/);
    const topn = await w2v(['similar', model, 'topic0word0', '-topn', '3']);
    assert.equal(topn.status, 2);
    assert.match(
      topn.stderr,
      /'-topn' is --topn here\ndid you mean: w2v similar \S+ topic0word0 --topn 3/,
    );
    // An unknown flag with no likely meaning is still commander's, with its value.
    const unknown = await w2v(['train', '-i', corpus, '-o', at('x.bin'), '--save-vocab', 'v.txt']);
    assert.equal(unknown.status, 2);
    assert.match(unknown.stderr, /unknown option '--save-vocab'/);
  });
});

describe('outputs that are not models', () => {
  test('convert and train refuse to replace a corpus, saying what it looks like, unless --force', async () => {
    const victim = at('victim.txt');
    const text = readFileSync(corpus, 'utf8');
    writeFileSync(victim, text);
    const convert = await w2v(['convert', model, victim, '--limit', '100']);
    assert.equal(convert.status, 2);
    assert.match(
      convert.stderr,
      /output: '.*victim\.txt' exists and is not a model file \(it looks like text \(a corpus\?\), first line 'topic/,
    );
    assert.match(convert.stderr, /give --force to replace it/);
    const train = await w2v(['train', '-i', corpus, '-o', victim, '--min-count', '1']);
    assert.equal(train.status, 2);
    assert.match(train.stderr, /--output: '.*victim\.txt' exists and is not a model file/);
    assert.equal(readFileSync(victim, 'utf8'), text);

    // A model file is replaced as before; --force replaces anything.
    const again = await w2v(['convert', model, at('model.txt')]);
    assert.equal(again.status, 0, again.stderr);
    const over = await w2v(['convert', model, at('model.txt'), '--limit', '10']);
    assert.equal(over.status, 0, over.stderr);
    const forced = await w2v(['convert', model, victim, '--limit', '10', '--force']);
    assert.equal(forced.status, 0, forced.stderr);
    assert.equal((await loadVectors(victim)).size, 10);
  });
});

describe('the loss', () => {
  test('the progress line, the summary and the log give the same final loss: the mean of the last epoch', () => {
    const records = parseProgressLog(readFileSync(at('train.jsonl'), 'utf8'));
    const last = records.at(-1)!;
    const summary = /final loss\s+(\d+\.\d{4}) \(mean of the last epoch\)/.exec(trainRun.stdout);
    assert.ok(summary, trainRun.stdout);
    assert.equal(last.epochLoss!.toFixed(4), summary[1]);
    const progress = [...trainRun.stderr.matchAll(/epoch loss (\d+\.\d{4})/g)].at(-1);
    assert.equal(progress?.[1], summary[1], trainRun.stderr);
    assert.ok(typeof last.loss === 'number', 'the interval loss is kept beside it');
    // The plot's legend names the curve and gives the same ending loss.
    const plot = spawnSync(process.execPath, [
      MAIN,
      'plot',
      at('train.jsonl'),
      '--out',
      at('loss.svg'),
    ]);
    assert.equal(plot.status, 0, plot.stderr.toString());
    const svg = readFileSync(at('loss.svg'), 'utf8');
    assert.match(svg, />interval loss</);
    assert.ok(svg.includes(`>epoch loss ${summary[1]}<`), 'the legend gives the final loss');
  });
});

describe('the interactive session', () => {
  test('piped queries read to the end, skip blank lines, and take --topn on their line', async () => {
    const run = await w2v(['similar', model, '--topn', '4'], {
      input:
        'topic0word0\n\ntopic1word1 --topn 2\n\n\ntopic2word2 --negative the\ntopic3word3 --frobnicate\n',
    });
    assert.equal(run.status, 0, run.stderr);
    const answers = run.stdout.trim().split('\n\n');
    assert.deepEqual(
      answers.map((a) => a.split('\n')[0]),
      ['topic0word0', 'topic1word1', 'topic2word2 -the'],
    );
    assert.deepEqual(
      answers.map((a) => a.split('\n').length - 1),
      [4, 2, 4],
    );
    assert.match(
      run.stderr,
      /'--frobnicate' is not an option of the session; a line takes words and --topn <n>/,
    );
  });

  test('a line parses words, subtracted words and options; Tab completes words', async () => {
    assert.deepEqual(parseSessionLine('paris -france italy --topn 3 --restrict=100'), {
      positive: ['paris', 'italy'],
      negative: ['france'],
      topn: 3,
      restrict: 100,
    });
    assert.throws(
      () => parseSessionLine('paris --topn x'),
      /--topn needs a positive integer, got 'x'/,
    );
    const kv = await loadVectors(model);
    const complete = wordCompleter(kv);
    const [words, prefix] = complete('topic0word0 topic1wo');
    assert.equal(prefix, 'topic1wo');
    assert.deepEqual(
      [...words].sort(),
      Array.from({ length: 8 }, (_, i) => `topic1word${i}`),
    );
    assert.deepEqual(complete('king -topic2word7')[0], ['-topic2word7']);
    assert.deepEqual(complete('king --to'), [['--topn'], '--to']);
  });
});

/** Types `keys` into `w2v similar model` on a pseudo-terminal (Python's pty) and gives what the terminal showed. */
const TERMINAL_SCRIPT = `
import os, pty, select, sys, time
pid, fd = pty.fork()
if pid == 0:
    os.execv(sys.argv[1], sys.argv[1:5])
out = b''
def read(seconds, until=None):
    global out
    end = time.time() + seconds
    while time.time() < end and (until is None or until not in out):
        if select.select([fd], [], [], 0.05)[0]:
            try:
                out += os.read(fd, 4096)
            except OSError:
                return
read(10, b'> ')
for keys in sys.argv[5:]:
    os.write(fd, keys.encode())
    read(0.4)
sys.stdout.write(out.decode('utf-8', 'replace'))
`;

describe('the session on a terminal', () => {
  const pty = skipWithout(
    spawnSync(PYTHON, ['-c', 'import pty'], { stdio: 'ignore' }).status === 0
      ? undefined
      : `no Python with pty at ${PYTHON}`,
  );
  test('Tab completes a word, Enter asks it, a blank line quits', { skip: pty }, () => {
    const run = spawnSync(
      PYTHON,
      [
        '-c',
        TERMINAL_SCRIPT,
        process.execPath,
        MAIN,
        'similar',
        model,
        'th\t',
        '\r',
        'topic4wor',
        '\t',
        '\t',
        '\x15\r',
      ],
      { encoding: 'utf8', timeout: 30_000 },
    );
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /Tab completes/);
    // 'th' completes to the one word it starts, which is then asked.
    assert.match(run.stdout, /> \S*the\r*\n\s+1 {2}\S+\s+[-\d.]+/);
    // 'topic4wor' starts 8 words: Tab completes what they share, a second Tab lists them.
    assert.match(run.stdout, /> \S*topic4word\r/);
    for (let i = 0; i < 8; i++) assert.match(run.stdout, new RegExp(`\\btopic4word${i}\\s`));
  });
});

describe('evaluation', () => {
  test('the standard sets by name, and every question in --json', async () => {
    const run = await w2v([
      'eval',
      model,
      '--analogies',
      'questions-words',
      '--pairs',
      'wordsim353',
      '--json',
      '--dummy4unknown',
    ]);
    // No word of the planted corpus is in the standard sets: every question is unknown, so wrong.
    assert.equal(run.status, 0, run.stderr);
    const report = JSON.parse(run.stdout) as {
      dummy4unknown: boolean;
      analogies: {
        questions: number;
        sections: { wrong: unknown[]; skipped: unknown[]; right: unknown[] }[];
      };
      pairs: { scored: unknown[]; unknown: unknown[] };
    };
    assert.equal(report.dummy4unknown, true);
    assert.equal(report.analogies.questions, 19544);
    const wrong = report.analogies.sections.reduce((n, s) => n + s.wrong.length, 0);
    assert.equal(wrong, 19544);
    assert.equal(report.pairs.scored.length, 353);
    assert.equal(report.pairs.unknown.length, 353);
  });
});
