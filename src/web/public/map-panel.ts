// The map panel: the form that picks the words and the projection, the map
// canvas, and its status line (what is shown, how far a projection has come,
// how much of the highlighted words is on it). The searched word, its
// neighbours and the analogy's words and answers are placed on the map with
// its projection when they are not among its words.
import type { InfoReply, MapReply, MapStreamLine, ProjectionMethod } from '../api-types.js';
import { api, apiLines } from './api-client.js';
import { byId, count, errorText, setStatus } from './dom.js';
import { WordMap, type HighlightGroup } from './word-map.js';

export interface MapPanel {
  /** Highlights the searched word and its neighbours. */
  showSearch(word: string, near: readonly string[]): void;
  /** Highlights the analogy's three words and its answers, the best first. */
  showAnalogy(words: readonly string[], answers: readonly string[]): void;
  /** Projects the words the form asks for and shows them. */
  draw(): Promise<void>;
}

/** The highlighted groups, drawn in this order (the later over the earlier). */
interface Highlights {
  analogy?: { words: readonly string[]; answers: readonly string[] };
  search?: { word: string; near: readonly string[] };
}

/** The groups to draw for the highlights. */
function groupsOf(highlights: Highlights): HighlightGroup[] {
  const groups: HighlightGroup[] = [];
  const { analogy, search } = highlights;
  if (analogy) {
    groups.push({
      name: 'analogy',
      lead: [...analogy.words, ...analogy.answers.slice(0, 1)],
      words: analogy.answers,
      color: '#8250df',
      labelColor: '#6639ba',
    });
  }
  if (search) {
    groups.push({
      name: 'search',
      lead: [search.word],
      words: search.near,
      color: '#e36209',
      labelColor: '#b54708',
    });
  }
  return groups;
}

/** Sets up the map panel; clicking a point calls `onPick` with its word. */
export function attachMapPanel(info: InfoReply, onPick: (word: string) => void): MapPanel {
  const mapCanvas = byId<HTMLCanvasElement>('map');
  const mapStatus = byId('map-status');
  const mapN = byId<HTMLInputElement>('map-n');
  const mapMethod = byId<HTMLSelectElement>('map-method');
  const capOf = (method: ProjectionMethod): number =>
    method === 'umap' ? info.limits.umapWords : info.limits.mapWords;
  mapN.max = String(capOf(mapMethod.value as ProjectionMethod));
  mapN.value = String(info.defaults.mapWords);
  mapMethod.addEventListener('change', () => {
    mapN.max = String(capOf(mapMethod.value as ProjectionMethod));
  });

  let mapSummary = '';
  let highlightNote = '';
  let mapError = false;
  const showMapStatus = (): void =>
    setStatus(mapStatus, [mapSummary, highlightNote].filter(Boolean).join(' · '), mapError);

  const map = new WordMap(mapCanvas, onPick);
  /** The map shown: its method and size, as the server knows it. */
  let shown: { method: ProjectionMethod; n: number } | undefined;
  const highlights: Highlights = {};

  let placeSequence = 0;
  /** Places the highlighted words the map lacks, then marks them all. */
  async function updateHighlights(): Promise<void> {
    const groups = groupsOf(highlights);
    const wanted = [...new Set(groups.flatMap((g) => [...g.lead, ...g.words]))];
    if (!shown || wanted.length === 0) {
      map.highlight(groups);
      highlightNote = '';
      showMapStatus();
      return;
    }
    const mine = ++placeSequence;
    const missing = wanted.filter((w) => !map.isMapWord(w)).slice(0, info.limits.placeWords);
    let placedCount = 0;
    let leftOut: string[] = [];
    if (missing.length > 0) {
      try {
        const reply = await api('/api/place', {
          n: shown.n,
          method: shown.method,
          words: missing.join(' '),
        });
        if (mine !== placeSequence) return;
        map.setPlaced(reply.words, reply.coords);
        placedCount = reply.words.length;
        leftOut = reply.leftOut;
      } catch (err) {
        if (mine !== placeSequence) return;
        map.setPlaced([], []);
        highlightNote = `the highlighted words beyond the map's could not be placed: ${errorText(err)}`;
      }
    } else map.setPlaced([], []);
    const onMap = map.highlight(groups).reduce((a, b) => a + b, 0);
    const total = groups.reduce((sum, g) => sum + new Set([...g.lead, ...g.words]).size, 0);
    if (missing.length === 0 || placedCount > 0 || leftOut.length > 0) {
      const beyond =
        placedCount > 0
          ? `, ${count(placedCount)} of them placed beyond the ${count(shown.n)} most frequent`
          : '';
      const nan = leftOut.length > 0 ? ` (${leftOut.length} left out: NaN or infinite values)` : '';
      highlightNote = `${onMap} of ${total} highlighted words on the map${beyond}${nan}`;
    }
    showMapStatus();
  }

  /** The size the form asks for, or a message saying what it may be. */
  function requestedSize(method: ProjectionMethod): number | string {
    const n = Number(mapN.value);
    const cap = capOf(method);
    if (mapN.value.trim() === '' || !Number.isInteger(n) || n < 1)
      return `The number of words on the map must be a whole number from 1 to ${count(cap)}.`;
    if (n > cap) {
      const other =
        method === 'umap' ? ` (PCA draws up to ${count(info.limits.mapWords)}, and quickly)` : '';
      return `The map can show at most ${count(cap)} words with ${method.toUpperCase()}${other}; asked for ${count(n)}.`;
    }
    return n;
  }

  let mapSequence = 0;
  let current: AbortController | undefined;
  async function drawMap(): Promise<void> {
    // The select offers only the server's methods; the server checks it anyway.
    const method = mapMethod.value as ProjectionMethod;
    const n = requestedSize(method);
    if (typeof n === 'string') {
      mapError = true;
      mapSummary = n;
      showMapStatus();
      return;
    }
    const mine = ++mapSequence;
    // A map asked for earlier is no longer wanted: its request ends, and the server stops it if nobody else waits.
    current?.abort();
    const request = new AbortController();
    current = request;
    mapError = false;
    const projecting = `Projecting ${count(n)} words with ${method.toUpperCase()}`;
    mapSummary = `${projecting}…`;
    mapCanvas.dataset.state = 'projecting';
    showMapStatus();
    let reply: MapReply | undefined;
    try {
      await apiLines<MapStreamLine>(
        '/api/map-stream',
        { n, method },
        (line) => {
          if (mine !== mapSequence) return;
          if ('progress' in line) {
            const p = line.progress;
            mapSummary =
              p.stage === 'queued'
                ? `${projecting}: waiting for another map to finish…`
                : p.stage === 'neighbours'
                  ? `${projecting}: finding each word's neighbours…`
                  : p.stage === 'layout'
                    ? `${projecting}: epoch ${count(p.done)} of ${count(p.total)} (${Math.floor((100 * p.done) / p.total)}%)`
                    : `${projecting}…`;
            showMapStatus();
          } else if ('map' in line) reply = line.map;
          else throw new Error(line.error);
        },
        request.signal,
      );
      if (mine !== mapSequence) return;
      if (!reply) throw new Error('the server sent no map');
      shown = { method: reply.method, n: reply.requested };
      map.setPoints(reply.words, reply.coords);
      const variance = reply.explainedVariance
        ? `, axes explain ${(reply.explainedVariance[0] * 100).toFixed(1)}% and ${(reply.explainedVariance[1] * 100).toFixed(1)}% of the variance`
        : '';
      const leftOut =
        reply.leftOut > 0 ? ` (${count(reply.leftOut)} left out: NaN or infinite values)` : '';
      mapSummary = `${count(reply.count)} most frequent words${leftOut}, ${reply.method.toUpperCase()}${variance}`;
      mapCanvas.dataset.state = 'drawn';
      showMapStatus();
      await updateHighlights();
    } catch (err) {
      if (mine !== mapSequence) return;
      mapError = true;
      mapSummary = errorText(err);
      mapCanvas.dataset.state = 'error';
      showMapStatus();
    }
  }
  const form = byId<HTMLFormElement>('map-form');
  // The page says what the size may be, in its own words.
  form.noValidate = true;
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void drawMap();
  });
  byId('map-reset').addEventListener('click', () => map.fit());

  return {
    showSearch(word, near) {
      highlights.search = { word, near };
      void updateHighlights();
    },
    showAnalogy(words, answers) {
      highlights.analogy = { words, answers };
      void updateHighlights();
    },
    draw: drawMap,
  };
}
