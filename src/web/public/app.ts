// The explorer page: plain DOM and a canvas, talking to the JSON API of
// `w2v serve`. Compiled by tsc to ES modules next to index.html, which loads
// app.js; the browser fetches the rest through their imports (no bundler).
import { attachAnalogyPanel, createAnalogyFields } from './analogy-panel.js';
import { api } from './api-client.js';
import { errorText } from './dom.js';
import { createFacts, showFacts } from './facts.js';
import { followLog } from './loss-panel.js';
import { attachMapPanel } from './map-panel.js';
import { attachSearchPanel } from './search-panel.js';

async function main(): Promise<void> {
  // The parts of the page built from tables, shown before the model's facts arrive.
  createFacts();
  createAnalogyFields();
  const info = await api('/api/info');
  showFacts(info);
  document.title = `${info.file} · word2vec explorer`;

  // The map and the search call each other: a click on the map searches, a search (or an analogy) highlights on the map.
  const map = attachMapPanel(info, (word) => void runSearch(word));
  const runSearch = attachSearchPanel(info, (word, near) => map.showSearch(word, near));
  attachAnalogyPanel(
    (word) => void runSearch(word),
    (words, answers) => map.showAnalogy(words, answers),
  );
  void map.draw();

  // Training log.
  if (info.log !== null) void followLog();

  const fromHash = /^#word=(.+)$/.exec(location.hash);
  if (fromHash) void runSearch(decodeURIComponent(fromHash[1]!));
  document.body.dataset.ready = 'true';
}

main().catch((err: unknown) => {
  document.body.dataset.ready = 'error';
  const message = document.createElement('p');
  message.className = 'status error';
  message.textContent = `The explorer could not start: ${errorText(err)}`;
  document.body.prepend(message);
});
