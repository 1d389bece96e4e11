// The phrase file: a few `#` lines with the settings, then each pass's
// phrases after a `# pass N` line, one a line: the phrase joined with the
// delimiter, its score and its count, separated by tabs.
import { readFile } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';
import { InputError, systemErrorText } from '../errors.js';
import { PhraseModel, type Phrase, type PhraseSettings } from './phrase-model.js';
import { SCORINGS, type PhraseScoring } from './scoring.js';

import { PHRASE_FILE_MAGIC as MAGIC } from './phrase-file-text.js';

/**
 * Reads a phrase file written by `save` (or `w2v phrases --save`). Each
 * phrase's parts are found by joining its words with the earlier passes'
 * phrases, as the text it was learned from was joined.
 * @example
 * const model = await loadPhrases('phrases.tsv');
 * model.apply(['new', 'york']); // ['new_york']
 */
export async function loadPhrases(path: string): Promise<PhraseModel> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    throw new InputError(`cannot read phrase file '${path}': ${systemErrorText(error)}`);
  }
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      bytes = gunzipSync(bytes);
    } catch {
      throw new InputError(`cannot read phrase file '${path}': corrupt or truncated gzip data`);
    }
  }
  return parsePhraseFile(bytes.toString('utf8'), path);
}

/** The model a phrase file's text holds; errors name the file and line. */
export function parsePhraseFile(text: string, path: string): PhraseModel {
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  const fail = (line: number, what: string): never => {
    throw new InputError(`phrase file '${path}' line ${line}: ${what}`);
  };
  if (!lines[0]?.startsWith(MAGIC))
    fail(1, `expected '${MAGIC} 1' (a file written by w2v phrases --save)`);
  const settings: PhraseSettings = {
    scoring: 'default',
    delimiter: '_',
    minCount: 5,
    thresholds: [],
    connectorWords: [],
  };
  const layers: Phrase[][] = [];
  // The passes before the current one, which split its phrases into parts.
  let earlier: PhraseModel | undefined;
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i].replace(/\r$/, '');
    const n = i + 1;
    if (line.startsWith('#')) {
      const pass = /^# pass (\d+)$/.exec(line);
      if (pass) {
        if (Number(pass[1]) !== layers.length + 1)
          fail(n, `expected '# pass ${layers.length + 1}', got '${line}'`);
        if (layers.length > 0) earlier = new PhraseModel(settings, layers.slice());
        layers.push([]);
        continue;
      }
      const [name, value = ''] = line.slice(2).split('\t');
      if (name === 'scoring') {
        if (!SCORINGS.includes(value as PhraseScoring))
          fail(n, `scoring must be one of ${SCORINGS.join(', ')}, got '${value}'`);
        settings.scoring = value as PhraseScoring;
      } else if (name === 'delimiter') {
        if (value === '') fail(n, 'the delimiter is empty');
        settings.delimiter = value;
      } else if (name === 'min-count') settings.minCount = Number(value);
      else if (name === 'threshold') settings.thresholds = value.split(',').map(Number);
      else if (name === 'connector-words')
        settings.connectorWords = value.split(' ').filter((w) => w.length > 0);
      continue;
    }
    if (line === '') continue;
    if (layers.length === 0) fail(n, "a phrase before the first '# pass 1' line");
    const fields = line.split('\t');
    if (fields.length !== 3)
      fail(n, `expected 3 tab-separated fields (phrase, score, count), got ${fields.length}`);
    const [phrase, scoreText, countText] = fields;
    const score = Number(scoreText);
    const count = Number(countText);
    if (scoreText === '' || Number.isNaN(score))
      fail(n, `the score '${scoreText}' is not a number`);
    if (!Number.isInteger(count) || count < 0)
      fail(n, `the count '${countText}' is not a non-negative integer`);
    if (phrase === '' || /\s/.test(phrase))
      fail(n, `the phrase '${phrase}' is empty or holds white space`);
    const words = phrase.split(settings.delimiter).filter((w) => w.length > 0);
    const parts = earlier ? earlier.apply(words) : words;
    if (parts.length < 2)
      fail(
        n,
        `the phrase '${phrase}' holds no delimiter '${settings.delimiter}' between two words`,
      );
    layers[layers.length - 1].push({ phrase, parts, score, count, pass: layers.length });
  }
  return new PhraseModel(settings, layers);
}
