// Learning phrases: each pass counts words and phrase candidates in one
// streaming read of the corpus (joined by the earlier passes' phrases),
// scores every candidate and keeps those above the threshold.
import { corpusBuffers } from '../corpus/reader.js';
import { Tokenizer } from '../corpus/tokenizer.js';
import { UsageError } from '../errors.js';
import { connectorWordsOf } from './connectors.js';
import type { CandidatePruning, GramCounts } from './gram-counter.js';
import { PhraseJoiner, withoutLastWord } from './phrase-layers.js';
import { PhraseModel, type Phrase, type PhraseSettings } from './phrase-model.js';
import { effectiveThreshold, scorerOf } from './scoring.js';
import { word2phraseCounts } from './word2phrase-counts.js';
import { ThreadedCounter } from './threaded-counter.js';
import { checkPhraseOptions, type LearnPhrasesOptions, type PhraseProgress } from './options.js';

/** Lines are sentences, however long: a phrase never spans a cut that is not in the text. */
export const LINE_SENTENCES = 2 ** 31 - 1;

/**
 * Learns phrases from a corpus (plain or gzip text, one sentence a line):
 * counts words and adjacent pairs (with connector words inside) in one
 * streaming pass, scores them, and keeps those scoring above the threshold;
 * each further pass does the same on the text joined by the passes before.
 * @example
 * const model = await learnPhrases({ input: 'corpus.txt.gz', scoring: 'npmi', threshold: 0.5 });
 * model.apply(['the', 'new', 'york', 'times']);
 */
export async function learnPhrases(options: LearnPhrasesOptions): Promise<PhraseModel> {
  const resolved = checkPhraseOptions(options);
  const settings: PhraseSettings = {
    scoring: resolved.scoring,
    delimiter: resolved.delimiter,
    minCount: resolved.minCount,
    thresholds: resolved.thresholds,
    connectorWords:
      typeof resolved.connectorWords === 'string'
        ? await connectorWordsOf(resolved.connectorWords)
        : [...resolved.connectorWords],
  };
  if (settings.scoring === 'word2phrase' && settings.connectorWords.length > 0)
    throw new UsageError('word2phrase scoring takes no connector words (use connector words none)');
  const tokenizer = new Tokenizer(LINE_SENTENCES);
  const ids = new Map<string, number>();
  const idOf = (word: string): number => {
    let id = ids.get(word);
    if (id === undefined) {
      tokenizer.add(word);
      id = tokenizer.size - 1;
      ids.set(word, id);
    }
    return id;
  };
  const startedAt = performance.now();
  const w2p = settings.scoring === 'word2phrase';
  const layers: Phrase[][] = [];
  for (let pass = 1; pass <= resolved.passes; pass++) {
    const model = new PhraseModel(settings, layers);
    const compiled = model.compile(idOf, () => tokenizer.size);
    const joiner = new PhraseJoiner(compiled);
    // Counting runs on its own thread, beside tokenizing and joining here.
    const counter = new ThreadedCounter({
      connectors: compiled.connectors,
      acrossSentences: settings.scoring === 'word2phrase',
      maxBytes: resolved.maxMemoryMiB * 2 ** 20,
    });
    let tokens = 0;
    let lastReport = 0;
    const passStartedAt = performance.now();
    let lastByte = 10;
    let lastNonBlank = 10;
    let counts: GramCounts;
    try {
      for await (const { bytes, final } of corpusBuffers(resolved.input, {
        onWarning: resolved.onWarning,
      })) {
        if (bytes.length > 0) {
          lastByte = bytes[bytes.length - 1];
          for (let i = bytes.length - 1; i >= 0; i--) {
            const c = bytes[i];
            if (c !== 32 && c !== 9 && c !== 13) {
              lastNonBlank = c;
              break;
            }
          }
        }
        const w2pEnd = final && w2p;
        tokenizer.push(bytes, final, true, (run, read) => {
          tokens += read;
          if (!w2pEnd) counter.push(joiner.push(run));
          else {
            // word2phrase.c drops a word cut by the end of its input, in each pass.
            const dropLater = lastNonBlank !== 10;
            const joined = joiner.finish(run, !endsWord(lastByte), dropLater);
            counter.push(pass > 1 && dropLater ? withoutLastWord(joined) : joined);
          }
        });
        if (final) lastByte = lastNonBlank = 10;
        if (final) counter.push(joiner.end());
        counter.checkpoint(tokenizer.memoryBytes);
        const now = performance.now();
        if (resolved.onProgress && now - lastReport >= (resolved.progressIntervalMs ?? 500)) {
          lastReport = now;
          resolved.onProgress(
            progressOf(pass, resolved.passes, tokens, counter, startedAt, now, passStartedAt),
          );
        }
      }
      counts = counter.finish();
    } finally {
      counter.close();
    }
    if (counts.pruning.prunes > 0)
      resolved.onWarning(pruningWarning(counts.pruning, resolved.maxMemoryMiB, pass));
    const words = tokenizer.words();
    // Words first met in this pass's text need ids in the map too (earlier ones are there).
    for (let id = 0; id < words.length; id++) if (!ids.has(words[id])) ids.set(words[id], id);
    layers.push(scorePass(settings, pass, words, counts));
    resolved.onProgress?.(
      progressOf(
        pass,
        resolved.passes,
        tokens,
        counts,
        startedAt,
        performance.now(),
        passStartedAt,
        layers,
      ),
    );
  }
  return new PhraseModel(settings, layers);
}

/** Whether word2phrase.c reads a word that ends with this byte whole at the end of a file (it drops a word cut by the end). */
function endsWord(byte: number): boolean {
  return byte === 32 || byte === 9 || byte === 10;
}

function progressOf(
  pass: number,
  passes: number,
  tokens: number,
  counter: { readonly candidates: number },
  startedAt: number,
  now: number,
  passStartedAt: number,
  layers?: Phrase[][],
): PhraseProgress {
  const elapsedSeconds = (now - startedAt) / 1000;
  const passSeconds = (now - passStartedAt) / 1000;
  return {
    pass,
    passes,
    words: tokens,
    candidates: counter.candidates,
    elapsedSeconds,
    wordsPerSecond: tokens / Math.max(passSeconds, 1e-9),
    phrasesFound: layers ? layers[pass - 1].length : undefined,
  };
}

/** The candidates of one pass that score above its threshold, in the order first counted. */
function scorePass(
  settings: PhraseSettings,
  pass: number,
  words: readonly string[],
  counter: GramCounts,
): Phrase[] {
  const { pairs, grams } = counter;
  const score = scorerOf(settings.scoring);
  const threshold = effectiveThreshold(settings.scoring, settings.thresholds[pass - 1]);
  const merged =
    settings.scoring === 'word2phrase'
      ? word2phraseCounts(words, counter.unigrams, pairs)
      : undefined;
  const unigrams = merged?.unigrams ?? counter.unigrams;
  // gensim's len(vocab): its distinct (non-connector) words and candidates.
  let vocabularySize = counter.candidates;
  for (let id = 0; id < unigrams.length; id++) if (counter.unigrams[id] > 0) vocabularySize++;
  const corpus = { vocabularySize, totalWords: counter.totalWords, minCount: settings.minCount };
  const found: { order: number; phrase: Phrase }[] = [];
  const keep = (parts: string[], s: number, count: number, order: number): void => {
    const phrase = parts.join(settings.delimiter);
    found.push({ order, phrase: { phrase, parts, score: s, count, pass } });
  };
  for (const slot of pairs.slotList()) {
    const a = pairs.first(slot);
    const b = pairs.second(slot);
    const ab = merged ? (merged.pairs.get(slot) ?? pairs.count(slot)) : pairs.count(slot);
    const s = score(unigrams[a], unigrams[b], ab, corpus);
    if (s > threshold) keep([words[a], words[b]], s, ab, pairs.value(slot));
  }
  for (let e = 0; e < grams.size; e++) {
    const key = grams.key(e);
    const ab = grams.count(e);
    const s = score(unigrams[key[0]], unigrams[key[key.length - 1]], ab, corpus);
    if (s > threshold)
      keep(
        Array.from(key, (id) => words[id]),
        s,
        ab,
        grams.value(e),
      );
  }
  found.sort((x, y) => x.order - y.order);
  return found.map((f) => f.phrase);
}

function pruningWarning(pruning: CandidatePruning, budgetMiB: number, pass: number): string {
  const count = (n: number): string => n.toLocaleString('en-US');
  return (
    `phrase candidates outgrew their memory budget (${count(budgetMiB)} MiB) in pass ${pass}, so rare ones were pruned ` +
    `${pruning.prunes} time${pruning.prunes === 1 ? '' : 's'}: ${count(pruning.dropped)} distinct candidates seen at most ` +
    `${pruning.threshold} time${pruning.threshold === 1 ? '' : 's'} when pruned were dropped and their counts lost; ` +
    `raise the phrase memory budget (--max-memory) for exact counts`
  );
}
