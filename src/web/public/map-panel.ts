// The map panel: the form that picks the words and the projection, the map
// canvas, and its status line (what is shown, how much of the last search is
// on it).
import type { InfoReply, ProjectionMethod } from '../api-types.js';
import { api } from './api-client.js';
import { byId, count, errorText, setStatus } from './dom.js';
import { WordMap } from './word-map.js';

export interface MapPanel {
  /** Highlights the searched word and its neighbours. */
  showSearch(word: string, near: string[]): void;
  /** Projects the words the form asks for and shows them. */
  draw(): Promise<void>;
}

/** Sets up the map panel; clicking a point calls `onPick` with its word. */
export function attachMapPanel(info: InfoReply, onPick: (word: string) => void): MapPanel {
  const mapCanvas = byId<HTMLCanvasElement>('map');
  const mapStatus = byId('map-status');
  const mapN = byId<HTMLInputElement>('map-n');
  const mapMethod = byId<HTMLSelectElement>('map-method');
  mapN.max = String(info.limits.mapWords);
  mapN.value = String(info.defaults.mapWords);

  let mapSummary = '';
  let highlightNote = '';
  const showMapStatus = (): void =>
    setStatus(mapStatus, [mapSummary, highlightNote].filter(Boolean).join(' · '));

  let lastSearch: { word: string; near: string[] } | undefined;
  const map = new WordMap(mapCanvas, onPick);
  const updateHighlight = (): void => {
    if (!lastSearch) return;
    const shown = map.highlight(lastSearch.word, lastSearch.near);
    highlightNote = map.has(lastSearch.word)
      ? `${shown} of ${lastSearch.near.length + 1} highlighted words on the map`
      : `'${lastSearch.word}' is not among the mapped words`;
    showMapStatus();
  };

  let mapSequence = 0;
  async function drawMap(): Promise<void> {
    // The select offers only the server's methods; the server checks it anyway.
    const method = mapMethod.value as ProjectionMethod;
    const n = Number(mapN.value);
    const mine = ++mapSequence;
    mapSummary = `Projecting ${count(n)} words with ${method.toUpperCase()}…`;
    showMapStatus();
    try {
      const reply = await api('/api/map', { n, method });
      if (mine !== mapSequence) return;
      map.setPoints(reply.words, reply.coords);
      const variance = reply.explainedVariance
        ? `, axes explain ${(reply.explainedVariance[0] * 100).toFixed(1)}% and ${(reply.explainedVariance[1] * 100).toFixed(1)}% of the variance`
        : '';
      const leftOut =
        reply.leftOut > 0 ? ` (${count(reply.leftOut)} left out: NaN or infinite values)` : '';
      mapSummary = `${count(reply.count)} most frequent words${leftOut}, ${reply.method.toUpperCase()}${variance}`;
      updateHighlight();
      showMapStatus();
    } catch (err) {
      if (mine !== mapSequence) return;
      mapSummary = '';
      setStatus(mapStatus, errorText(err), true);
    }
  }
  byId<HTMLFormElement>('map-form').addEventListener('submit', (event) => {
    event.preventDefault();
    void drawMap();
  });
  byId('map-reset').addEventListener('click', () => map.fit());

  return {
    showSearch(word, near) {
      lastSearch = { word, near };
      updateHighlight();
    },
    draw: drawMap,
  };
}
