// The nearest-neighbours panel: a word (with completions) and how many
// neighbours, the list of neighbours, and the word in the page's address.
import type { InfoReply } from '../api-types.js';
import { api } from './api-client.js';
import { attachCompletion } from './completion.js';
import { byId, errorText, ordinal, setStatus } from './dom.js';
import { renderScored } from './scored-list.js';

/**
 * Sets up the search panel and returns its search; `onResult` is told the
 * word found and its neighbours.
 */
export function attachSearchPanel(
  info: InfoReply,
  onResult: (word: string, near: string[]) => void,
): (word: string) => Promise<void> {
  const search = byId<HTMLInputElement>('search');
  const topn = byId<HTMLInputElement>('topn');
  const searchStatus = byId('search-status');
  const neighbours = byId<HTMLOListElement>('neighbours');
  topn.max = String(info.limits.topn);

  let searchSequence = 0;
  async function runSearch(word: string): Promise<void> {
    const query = word.trim();
    if (query === '') {
      setStatus(searchStatus, 'Type a word first.', true);
      return;
    }
    search.value = query;
    const mine = ++searchSequence;
    setStatus(searchStatus, `Searching for '${query}'…`);
    try {
      const started = performance.now();
      const reply = await api('/api/similar', {
        word: query,
        topn: Number(topn.value) || info.defaults.topn,
      });
      if (mine !== searchSequence) return;
      const ms = performance.now() - started;
      renderScored(neighbours, reply.neighbours, (w) => void runSearch(w));
      setStatus(
        searchStatus,
        `${reply.neighbours.length} nearest to '${reply.word}' (${reply.rank < 0 ? 'not in the vocabulary: from its n-grams' : `the ${ordinal(reply.rank + 1)} most frequent word`}), ${ms.toFixed(0)} ms`,
      );
      neighbours.dataset.word = reply.word;
      onResult(
        reply.word,
        reply.neighbours.map((n) => n.word),
      );
      history.replaceState(null, '', `#word=${encodeURIComponent(reply.word)}`);
    } catch (err) {
      if (mine !== searchSequence) return;
      neighbours.replaceChildren();
      delete neighbours.dataset.word;
      setStatus(searchStatus, errorText(err), true);
    }
  }
  attachCompletion(search, (word) => void runSearch(word));
  byId<HTMLFormElement>('search-form').addEventListener('submit', (event) => {
    event.preventDefault();
    void runSearch(search.value);
  });
  return runSearch;
}
