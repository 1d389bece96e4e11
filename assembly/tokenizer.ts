// Corpus tokenizer: splits UTF-8 text on ASCII white space and maps each
// token to a word id through an open-addressing hash table of byte strings,
// without creating a string per token. Lines end sentences; a sentence is
// cut after `maxSentence` tokens.
//
// The host owns the layout of this module's own (unshared) memory and makes
// sure, before each scan, that the table and the word store have room for
// every token the input could add.

// A table slot (8 bytes): hash, word id + 1 (0 = empty).
// Per word id (8 bytes): offset and length of its bytes in the word store.
// Per word id: its count (f64).

let table: usize = 0;
let tableMask: u32 = 0;
let refs: usize = 0;
let counts: usize = 0;
let wordStore: usize = 0;
let wordStoreEnd: usize = 0;
let words: i32 = 0;
let maxSentence: i32 = 10000;
let maxToken: i32 = 1000;
let sentenceTokens: i32 = 0;
// The last input ended inside a token longer than maxToken, already counted: the rest of it is skipped.
let skipping: bool = false;

// Results of the last scan.
let consumed: i32 = 0;
let tokens: f64 = 0;
// Occurrences of the words the last keepAbove dropped.
let droppedOccurrences: f64 = 0;

/** (Re)points the module at its regions; an existing table is rebuilt by rehash(). */
export function setup(tablePtr: usize, tableSlots: u32, refsPtr: usize, countsPtr: usize, storePtr: usize, storeUsed: usize, wordCount: i32, maxSentenceTokens: i32, maxTokenBytes: i32): void {
  table = tablePtr;
  tableMask = tableSlots - 1;
  refs = refsPtr;
  counts = countsPtr;
  wordStore = storePtr;
  wordStoreEnd = storePtr + storeUsed;
  words = wordCount;
  maxSentence = maxSentenceTokens;
  maxToken = maxTokenBytes;
}

export function wordCount(): i32 {
  return words;
}

export function storeUsed(): usize {
  return wordStoreEnd - wordStore;
}

export function lastConsumed(): i32 {
  return consumed;
}

export function lastTokens(): f64 {
  return tokens;
}

export function lastDroppedOccurrences(): f64 {
  return droppedOccurrences;
}

@inline function isSpace(c: u32): bool {
  return c == 32 || (c >= 9 && c <= 13);
}

// FNV-1a: one multiply per byte, good enough spread for word strings.
@inline function hashBytes(p: usize, n: i32): u32 {
  let h: u32 = 2166136261;
  for (let i = 0; i < n; i++) h = (h ^ <u32>load<u8>(p + <usize>i)) * 16777619;
  return h;
}

@inline function sameBytes(a: usize, b: usize, n: i32): bool {
  let i = 0;
  for (; i + 8 <= n; i += 8) if (load<u64>(a + <usize>i) != load<u64>(b + <usize>i)) return false;
  for (; i < n; i++) if (load<u8>(a + <usize>i) != load<u8>(b + <usize>i)) return false;
  return true;
}

/** The id of the word at p (n wordStore), adding it when `insert`; -1 when absent and not inserted. */
@inline function lookup(p: usize, n: i32, insert: bool): i32 {
  const h = hashBytes(p, n);
  let slot = h & tableMask;
  for (;;) {
    const at = table + (<usize>slot << 3);
    const stored = load<i32>(at, 4);
    if (stored == 0) break;
    if (load<u32>(at) == h) {
      const id = stored - 1;
      const ref = refs + (<usize>id << 3);
      if (load<i32>(ref, 4) == n && sameBytes(wordStore + <usize>load<u32>(ref), p, n)) return id;
    }
    slot = (slot + 1) & tableMask;
  }
  if (!insert) return -1;
  const id = words++;
  const at = table + (<usize>slot << 3);
  store<u32>(at, h);
  store<i32>(at, id + 1, 4);
  const ref = refs + (<usize>id << 3);
  store<u32>(ref, <u32>(wordStoreEnd - wordStore));
  store<i32>(ref, n, 4);
  memory.copy(wordStoreEnd, p, <usize>n);
  wordStoreEnd += <usize>n;
  store<f64>(counts + (<usize>id << 3), 0);
  return id;
}

/**
 * Tokenizes input[0..length) into out (word ids, -1 after each sentence).
 * Unless `final`, stops before a token that may continue in the next input
 * (lastConsumed() says where), or, when that token is already longer than
 * maxToken, counts it and skips the rest of it in the inputs that follow.
 * With `insert`, new words are added and every token is counted; without,
 * unknown words are skipped (but still count towards the sentence length,
 * as the raw line would). Returns the number of entries written.
 */
export function scan(input: usize, length: i32, final: bool, out: usize, insert: bool): i32 {
  let end = length;
  let cutAtEnd = false;
  if (!final) {
    while (end > 0 && !isSpace(load<u8>(input + <usize>(end - 1)))) end--;
    // A run of non-space longer than any token is cut rather than carried.
    if (length - end > maxToken) {
      end = length;
      cutAtEnd = true;
    }
  }
  let written = 0;
  let seen: f64 = 0;
  let i = 0;
  if (skipping) {
    while (i < end && !isSpace(<u32>load<u8>(input + <usize>i))) i++;
    // Still inside it where this input stops: the rest comes with the next one.
    skipping = i == end && !final;
  }
  while (i < end) {
    const c = <u32>load<u8>(input + <usize>i);
    if (isSpace(c)) {
      if (c == 10 && sentenceTokens > 0) {
        store<i32>(out + (<usize>(written++) << 2), -1);
        sentenceTokens = 0;
      }
      i++;
      continue;
    }
    const start = i;
    while (i < end && !isSpace(<u32>load<u8>(input + <usize>i))) i++;
    let n = min(i - start, maxToken);
    // A cut token ends on a UTF-8 character boundary (back over up to 3 continuation bytes).
    for (let k = 0; k < 3 && n < i - start && (load<u8>(input + <usize>(start + n)) & 0xc0) == 0x80; k++) n--;
    const id = lookup(input + <usize>start, n, insert);
    seen += 1;
    if (id >= 0) {
      if (insert) {
        const count = counts + (<usize>id << 3);
        store<f64>(count, load<f64>(count) + 1);
      }
      store<i32>(out + (<usize>(written++) << 2), id);
    }
    if (++sentenceTokens >= maxSentence) {
      store<i32>(out + (<usize>(written++) << 2), -1);
      sentenceTokens = 0;
    }
  }
  if (final && sentenceTokens > 0) {
    store<i32>(out + (<usize>(written++) << 2), -1);
    sentenceTokens = 0;
  }
  // A token cut at the end goes on in the next input, which must not count its rest again.
  if (cutAtEnd) skipping = true;
  consumed = end;
  tokens = seen;
  return written;
}

/** Re-inserts every word into a table: a new, larger one, or the same one after words were dropped. */
export function rehash(tablePtr: usize, tableSlots: u32): void {
  table = tablePtr;
  tableMask = tableSlots - 1;
  memory.fill(table, 0, <usize>tableSlots << 3);
  for (let id = 0; id < words; id++) {
    const ref = refs + (<usize>id << 3);
    const p = wordStore + <usize>load<u32>(ref);
    const h = hashBytes(p, load<i32>(ref, 4));
    let slot = h & tableMask;
    while (load<i32>(table + (<usize>slot << 3), 4) != 0) slot = (slot + 1) & tableMask;
    store<u32>(table + (<usize>slot << 3), h);
    store<i32>(table + (<usize>slot << 3), id + 1, 4);
  }
}

/**
 * Keeps only the words counted more than `threshold` times, in id order and
 * renumbered from 0, compacting their refs, counts and bytes in place (a
 * word's new place is never after its old one), and rebuilds the table.
 * Returns how many words remain.
 */
export function keepAbove(threshold: f64): i32 {
  let kept = 0;
  let end: usize = 0; // bytes kept in the word store
  let dropped: f64 = 0;
  for (let id = 0; id < words; id++) {
    const count = load<f64>(counts + (<usize>id << 3));
    if (count <= threshold) {
      dropped += count;
      continue;
    }
    const ref = refs + (<usize>id << 3);
    const n = load<i32>(ref, 4);
    memory.copy(wordStore + end, wordStore + <usize>load<u32>(ref), <usize>n);
    const to = refs + (<usize>kept << 3);
    store<u32>(to, <u32>end);
    store<i32>(to, n, 4);
    store<f64>(counts + (<usize>kept << 3), count);
    end += <usize>n;
    kept++;
  }
  words = kept;
  wordStoreEnd = wordStore + end;
  droppedOccurrences = dropped;
  rehash(table, tableMask + 1);
  return kept;
}
