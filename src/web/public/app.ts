// The explorer page: plain DOM and a canvas, talking to the JSON API of
// `w2v serve`. Compiled by tsc to app.js next to index.html; no bundler.
export {};

interface Info {
  file: string;
  fileBytes: number | null;
  vocabSize: number;
  dim: number;
  log: string | null;
  methods: string[];
  defaults: { topn: number; mapWords: number };
  limits: { topn: number; mapWords: number; umapWords: number; completions: number };
}

interface Scored {
  word: string;
  similarity: number;
  rank: number;
}

interface SimilarReply {
  word: string;
  rank: number;
  neighbours: Scored[];
}

interface AnalogyReply {
  a: string;
  b: string;
  c: string;
  answers: Scored[];
}

interface CompleteReply {
  prefix: string;
  words: Array<{ word: string; rank: number }>;
}

interface MapReply {
  method: 'pca' | 'umap';
  /** Points on the map: the most frequent words but those left out. */
  count: number;
  /** Words among the most frequent left out for their NaN or infinite values. */
  leftOut: number;
  words: string[];
  coords: number[];
  explainedVariance: [number, number] | null;
  seconds: number;
}

interface LogRecord {
  epoch: number;
  epochs: number;
  words: number;
  totalWords: number;
  alpha: number;
  loss: number | null;
  wordsPerSecond: number;
}

interface LogReply {
  records: LogRecord[];
  done: boolean;
}

class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

async function api<T>(path: string, params: Record<string, string | number> = {}): Promise<T> {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) query.set(key, String(value));
  const url = Object.keys(params).length > 0 ? `${path}?${query.toString()}` : path;
  const response = await fetch(url, { headers: { Accept: 'application/json' } });
  const body: unknown = await response.json().catch(() => null);
  if (!response.ok) {
    const message =
      typeof body === 'object' && body !== null && 'error' in body
        ? String(body.error)
        : `${response.status} ${response.statusText}`;
    throw new ApiError(response.status, message);
  }
  return body as T;
}

function byId<T extends HTMLElement>(id: string): T {
  const element = document.getElementById(id);
  if (!element) throw new Error(`missing #${id}`);
  return element as T;
}

const count = (n: number): string => n.toLocaleString('en-US');

function formatBytes(n: number): string {
  if (n >= 2 ** 30) return `${(n / 2 ** 30).toFixed(1)} GiB`;
  if (n >= 2 ** 20) return `${(n / 2 ** 20).toFixed(1)} MiB`;
  if (n >= 2 ** 10) return `${(n / 2 ** 10).toFixed(1)} KiB`;
  return `${n} B`;
}

function setStatus(element: HTMLElement, text: string, error = false): void {
  element.textContent = text;
  element.classList.toggle('error', error);
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

// ---------------------------------------------------------------- completion

let comboCounter = 0;

/**
 * Adds a listbox of vocabulary completions under a text input (ARIA
 * combobox pattern): arrows move, Enter or a click picks, Escape closes.
 */
function attachCompletion(input: HTMLInputElement, onPick: (word: string) => void): void {
  const id = `suggestions-${++comboCounter}`;
  const list = document.createElement('ul');
  list.id = id;
  list.className = 'suggestions';
  list.setAttribute('role', 'listbox');
  list.hidden = true;
  input.after(list);
  input.setAttribute('role', 'combobox');
  input.setAttribute('aria-autocomplete', 'list');
  input.setAttribute('aria-controls', id);
  input.setAttribute('aria-expanded', 'false');

  let items: string[] = [];
  let active = -1;
  let sequence = 0;
  let timer: number | undefined;

  const close = (): void => {
    list.hidden = true;
    input.setAttribute('aria-expanded', 'false');
    input.removeAttribute('aria-activedescendant');
    active = -1;
  };
  const highlight = (index: number): void => {
    active = index;
    list
      .querySelectorAll('li')
      .forEach((li, i) => li.setAttribute('aria-selected', String(i === index)));
    if (index >= 0) {
      input.setAttribute('aria-activedescendant', `${id}-${index}`);
      list.children[index]?.scrollIntoView({ block: 'nearest' });
    } else input.removeAttribute('aria-activedescendant');
  };
  const pick = (word: string): void => {
    input.value = word;
    close();
    onPick(word);
  };
  const render = (words: Array<{ word: string; rank: number }>): void => {
    items = words.map((w) => w.word);
    list.replaceChildren(
      ...words.map((w, i) => {
        const li = document.createElement('li');
        li.id = `${id}-${i}`;
        li.setAttribute('role', 'option');
        li.setAttribute('aria-selected', 'false');
        const word = document.createElement('span');
        word.textContent = w.word;
        const rank = document.createElement('span');
        rank.className = 'rank';
        rank.textContent = `#${count(w.rank + 1)}`;
        li.append(word, rank);
        // mousedown, not click: it comes before the input loses focus.
        li.addEventListener('mousedown', (event) => {
          event.preventDefault();
          pick(w.word);
        });
        return li;
      }),
    );
    active = -1;
    if (items.length === 0 || document.activeElement !== input) close();
    else {
      list.hidden = false;
      input.setAttribute('aria-expanded', 'true');
    }
  };
  const refresh = async (): Promise<void> => {
    const prefix = input.value.trim();
    const mine = ++sequence;
    if (prefix === '') {
      render([]);
      return;
    }
    try {
      const reply = await api<CompleteReply>('/api/complete', { prefix, limit: 8 });
      if (mine === sequence) render(reply.words);
    } catch {
      if (mine === sequence) render([]);
    }
  };

  input.addEventListener('input', () => {
    window.clearTimeout(timer);
    timer = window.setTimeout(() => void refresh(), 60);
  });
  input.addEventListener('keydown', (event) => {
    if (list.hidden) return;
    if (event.key === 'ArrowDown') {
      event.preventDefault();
      highlight(Math.min(items.length - 1, active + 1));
    } else if (event.key === 'ArrowUp') {
      event.preventDefault();
      highlight(Math.max(-1, active - 1));
    } else if (event.key === 'Enter' && active >= 0) {
      event.preventDefault();
      pick(items[active]!);
    } else if (event.key === 'Escape') {
      close();
    }
  });
  input.addEventListener('blur', close);
  // A form submit (Enter with nothing highlighted) must not leave stale suggestions open.
  input.form?.addEventListener('submit', () => {
    sequence++;
    window.clearTimeout(timer);
    close();
  });
}

// ---------------------------------------------------------------- results

function renderScored(
  list: HTMLOListElement,
  scored: readonly Scored[],
  onWord: (word: string) => void,
): void {
  list.replaceChildren(
    ...scored.map((s) => {
      const li = document.createElement('li');
      const word = document.createElement('button');
      word.type = 'button';
      word.className = 'word';
      word.textContent = s.word;
      word.title = `${s.word}: word #${count(s.rank + 1)} by frequency`;
      word.addEventListener('click', () => onWord(s.word));
      const similarity = document.createElement('span');
      similarity.className = 'similarity';
      similarity.textContent = s.similarity.toFixed(3);
      const bar = document.createElement('span');
      bar.className = 'bar';
      const fill = document.createElement('span');
      fill.style.width = `${Math.max(0, Math.min(1, s.similarity)) * 100}%`;
      bar.append(fill);
      li.append(word, similarity, bar);
      li.dataset.word = s.word;
      return li;
    }),
  );
}

// ---------------------------------------------------------------- map

interface View {
  scale: number;
  offsetX: number;
  offsetY: number;
}

/** Points on a canvas with zoom (wheel), pan (drag), hover labels and highlights. */
class WordMap {
  private words: string[] = [];
  private xs = new Float64Array(0);
  private ys = new Float64Array(0);
  private index = new Map<string, number>();
  private view: View = { scale: 1, offsetX: 0, offsetY: 0 };
  private focus: string | undefined;
  private near = new Set<string>();
  private hover = -1;
  private drag: { x: number; y: number; moved: boolean } | undefined;
  private frame = 0;

  constructor(
    private readonly canvas: HTMLCanvasElement,
    private readonly onPick: (word: string) => void,
  ) {
    new ResizeObserver(() => this.resize()).observe(canvas);
    canvas.addEventListener('wheel', (event) => this.onWheel(event), { passive: false });
    canvas.addEventListener('pointerdown', (event) => {
      canvas.setPointerCapture(event.pointerId);
      this.drag = { x: event.offsetX, y: event.offsetY, moved: false };
    });
    canvas.addEventListener('pointermove', (event) => this.onMove(event));
    canvas.addEventListener('pointerup', (event) => {
      const drag = this.drag;
      this.drag = undefined;
      canvas.classList.remove('dragging');
      if (drag && !drag.moved) {
        const hit = this.pointAt(event.offsetX, event.offsetY);
        if (hit >= 0) this.onPick(this.words[hit]!);
      }
    });
    canvas.addEventListener('pointerleave', () => {
      this.hover = -1;
      this.schedule();
    });
    canvas.addEventListener('dblclick', () => this.fit());
  }

  /** Shows new points, fitted to the canvas. */
  setPoints(words: readonly string[], coords: readonly number[]): void {
    const n = words.length;
    this.words = [...words];
    this.xs = new Float64Array(n);
    this.ys = new Float64Array(n);
    this.index = new Map();
    for (let i = 0; i < n; i++) {
      this.xs[i] = coords[2 * i]!;
      this.ys[i] = coords[2 * i + 1]!;
      this.index.set(words[i]!, i);
    }
    this.hover = -1;
    this.canvas.dataset.points = String(n);
    this.fit();
  }

  /** Marks the searched word and its neighbours; returns how many of them are on the map. */
  highlight(focus: string | undefined, near: readonly string[]): number {
    this.focus = focus;
    this.near = new Set(near);
    this.schedule();
    return [focus, ...near].filter((w) => w !== undefined && this.index.has(w)).length;
  }

  has(word: string): boolean {
    return this.index.has(word);
  }

  fit(): void {
    const { width, height } = this.size();
    const n = this.words.length;
    if (n === 0) {
      this.schedule();
      return;
    }
    let minX = Infinity;
    let maxX = -Infinity;
    let minY = Infinity;
    let maxY = -Infinity;
    for (let i = 0; i < n; i++) {
      minX = Math.min(minX, this.xs[i]!);
      maxX = Math.max(maxX, this.xs[i]!);
      minY = Math.min(minY, this.ys[i]!);
      maxY = Math.max(maxY, this.ys[i]!);
    }
    const pad = 24;
    const spanX = Math.max(maxX - minX, 1e-9);
    const spanY = Math.max(maxY - minY, 1e-9);
    const scale = Math.min((width - 2 * pad) / spanX, (height - 2 * pad) / spanY);
    this.view = {
      scale,
      offsetX: width / 2 - ((minX + maxX) / 2) * scale,
      // Data y grows upwards, screen y downwards.
      offsetY: height / 2 + ((minY + maxY) / 2) * scale,
    };
    this.schedule();
  }

  private size(): { width: number; height: number } {
    return { width: this.canvas.clientWidth, height: this.canvas.clientHeight };
  }

  private resize(): void {
    const ratio = window.devicePixelRatio || 1;
    const { width, height } = this.size();
    this.canvas.width = Math.round(width * ratio);
    this.canvas.height = Math.round(height * ratio);
    this.fit();
  }

  private screenX(i: number): number {
    return this.xs[i]! * this.view.scale + this.view.offsetX;
  }

  private screenY(i: number): number {
    return -this.ys[i]! * this.view.scale + this.view.offsetY;
  }

  /** Index of the point nearest (x, y) within 8 px, or -1. */
  private pointAt(x: number, y: number): number {
    let best = -1;
    let bestDistance = 64;
    for (let i = 0; i < this.words.length; i++) {
      const dx = this.screenX(i) - x;
      const dy = this.screenY(i) - y;
      const d = dx * dx + dy * dy;
      if (d < bestDistance) {
        bestDistance = d;
        best = i;
      }
    }
    return best;
  }

  private onWheel(event: WheelEvent): void {
    event.preventDefault();
    const factor = Math.exp(-event.deltaY * (event.deltaMode === 1 ? 0.05 : 0.0015));
    const { scale, offsetX, offsetY } = this.view;
    const next = Math.min(Math.max(scale * factor, 1e-6), 1e9);
    const k = next / scale;
    // Keep the point under the cursor in place.
    this.view = {
      scale: next,
      offsetX: event.offsetX - (event.offsetX - offsetX) * k,
      offsetY: event.offsetY - (event.offsetY - offsetY) * k,
    };
    this.schedule();
  }

  private onMove(event: PointerEvent): void {
    if (this.drag) {
      const dx = event.offsetX - this.drag.x;
      const dy = event.offsetY - this.drag.y;
      if (!this.drag.moved && dx * dx + dy * dy < 9) return;
      this.drag.moved = true;
      this.canvas.classList.add('dragging');
      this.view = {
        ...this.view,
        offsetX: this.view.offsetX + dx,
        offsetY: this.view.offsetY + dy,
      };
      this.drag.x = event.offsetX;
      this.drag.y = event.offsetY;
      this.schedule();
      return;
    }
    const hit = this.pointAt(event.offsetX, event.offsetY);
    if (hit !== this.hover) {
      this.hover = hit;
      this.schedule();
    }
  }

  private schedule(): void {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.draw();
    });
  }

  private draw(): void {
    const ctx = this.canvas.getContext('2d');
    if (!ctx) return;
    const ratio = window.devicePixelRatio || 1;
    const { width, height } = this.size();
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.fillStyle = '#ffffff';
    ctx.fillRect(0, 0, width, height);
    const n = this.words.length;
    let visible = 0;
    const radius = n > 5000 ? 1.5 : 2.2;
    ctx.fillStyle = 'rgba(31, 111, 235, 0.55)';
    for (let i = 0; i < n; i++) {
      const x = this.screenX(i);
      const y = this.screenY(i);
      if (x < -4 || y < -4 || x > width + 4 || y > height + 4) continue;
      visible++;
      ctx.fillRect(x - radius, y - radius, 2 * radius, 2 * radius);
    }
    this.canvas.dataset.visible = String(visible);

    // Labels: highlighted words always, then frequent words wherever they fit.
    ctx.font = '12px system-ui, "DejaVu Sans", sans-serif';
    ctx.textBaseline = 'middle';
    const boxes: Array<[number, number, number, number]> = [];
    const overlaps = (x0: number, y0: number, x1: number, y1: number): boolean =>
      boxes.some(([a0, b0, a1, b1]) => x0 < a1 && x1 > a0 && y0 < b1 && y1 > b0);
    const label = (i: number, color: string, weight: string, force: boolean): boolean => {
      const x = this.screenX(i);
      const y = this.screenY(i);
      if (x < 0 || y < 0 || x > width || y > height) return false;
      ctx.font = `${weight} 12px system-ui, "DejaVu Sans", sans-serif`;
      const w = ctx.measureText(this.words[i]!).width;
      // Right of the point, or left of it near the right edge.
      const left = x + 8 + w > width ? x - 8 - w : x + 4;
      const box: [number, number, number, number] = [left, y - 8, left + w + 4, y + 8];
      if (!force && overlaps(...box)) return false;
      boxes.push(box);
      ctx.fillStyle = 'rgba(255, 255, 255, 0.8)';
      ctx.fillRect(box[0], box[1] + 1, box[2] - box[0], box[3] - box[1] - 2);
      ctx.fillStyle = color;
      ctx.fillText(this.words[i]!, left + 2, y);
      return true;
    };
    const marked: number[] = [];
    const focus = this.focus === undefined ? -1 : (this.index.get(this.focus) ?? -1);
    for (const word of this.near) {
      const i = this.index.get(word);
      if (i !== undefined) marked.push(i);
    }
    for (const i of marked) this.dot(ctx, i, '#e36209', 4);
    if (focus >= 0) this.dot(ctx, focus, '#d1242f', 6);
    if (this.hover >= 0) this.dot(ctx, this.hover, '#1f2328', 4);
    this.canvas.dataset.highlighted = String(marked.length + (focus >= 0 ? 1 : 0));
    if (this.hover >= 0) label(this.hover, '#1f2328', 'bold', true);
    if (focus >= 0) label(focus, '#d1242f', 'bold', true);
    for (const i of marked) label(i, '#b54708', 'bold', false);
    let placed = 0;
    for (let i = 0; i < n && placed < 150; i++) {
      if (label(i, '#57606a', 'normal', false)) placed++;
    }
  }

  private dot(ctx: CanvasRenderingContext2D, i: number, color: string, r: number): void {
    ctx.beginPath();
    ctx.arc(this.screenX(i), this.screenY(i), r, 0, 2 * Math.PI);
    ctx.fillStyle = color;
    ctx.fill();
    ctx.strokeStyle = '#ffffff';
    ctx.lineWidth = 1.5;
    ctx.stroke();
  }
}

// ---------------------------------------------------------------- page

async function main(): Promise<void> {
  const info = await api<Info>('/api/info');
  byId('fact-file').textContent = info.file;
  byId('fact-words').textContent = count(info.vocabSize);
  byId('fact-dim').textContent = String(info.dim);
  byId('fact-size').textContent = info.fileBytes === null ? 'n/a' : formatBytes(info.fileBytes);
  document.title = `${info.file} · word2vec explorer`;

  const search = byId<HTMLInputElement>('search');
  const topn = byId<HTMLInputElement>('topn');
  const searchStatus = byId('search-status');
  const neighbours = byId<HTMLOListElement>('neighbours');
  const mapCanvas = byId<HTMLCanvasElement>('map');
  const mapStatus = byId('map-status');
  const mapN = byId<HTMLInputElement>('map-n');
  const mapMethod = byId<HTMLSelectElement>('map-method');
  topn.max = String(info.limits.topn);
  mapN.max = String(info.limits.mapWords);
  mapN.value = String(info.defaults.mapWords);

  let mapSummary = '';
  let highlightNote = '';
  const showMapStatus = (): void =>
    setStatus(mapStatus, [mapSummary, highlightNote].filter(Boolean).join(' · '));

  let lastSearch: { word: string; near: string[] } | undefined;
  const map = new WordMap(mapCanvas, (word) => void runSearch(word));
  const updateHighlight = (): void => {
    if (!lastSearch) return;
    const shown = map.highlight(lastSearch.word, lastSearch.near);
    highlightNote = map.has(lastSearch.word)
      ? `${shown} of ${lastSearch.near.length + 1} highlighted words on the map`
      : `'${lastSearch.word}' is not among the mapped words`;
    showMapStatus();
  };

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
      const reply = await api<SimilarReply>('/api/similar', {
        word: query,
        topn: Number(topn.value) || info.defaults.topn,
      });
      if (mine !== searchSequence) return;
      const ms = performance.now() - started;
      renderScored(neighbours, reply.neighbours, (w) => void runSearch(w));
      setStatus(
        searchStatus,
        `${reply.neighbours.length} nearest to '${reply.word}' (word #${count(reply.rank + 1)}), ${ms.toFixed(0)} ms`,
      );
      neighbours.dataset.word = reply.word;
      lastSearch = { word: reply.word, near: reply.neighbours.map((n) => n.word) };
      updateHighlight();
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

  // Analogy.
  const [a, b, c] = ['analogy-a', 'analogy-b', 'analogy-c'].map((id) =>
    byId<HTMLInputElement>(id),
  ) as [HTMLInputElement, HTMLInputElement, HTMLInputElement];
  const analogyStatus = byId('analogy-status');
  const analogyResults = byId<HTMLOListElement>('analogy-results');
  for (const input of [a, b, c]) attachCompletion(input, () => {});
  byId<HTMLFormElement>('analogy-form').addEventListener('submit', (event) => {
    event.preventDefault();
    void (async () => {
      const [wa, wb, wc] = [a.value.trim(), b.value.trim(), c.value.trim()];
      if (!wa || !wb || !wc) {
        setStatus(analogyStatus, 'Fill in all three words.', true);
        return;
      }
      setStatus(analogyStatus, 'Solving…');
      try {
        const reply = await api<AnalogyReply>('/api/analogy', { a: wa, b: wb, c: wc, topn: 10 });
        renderScored(analogyResults, reply.answers, (w) => void runSearch(w));
        const best = reply.answers[0];
        setStatus(
          analogyStatus,
          best ? `${reply.a} : ${reply.b} = ${reply.c} : ${best.word}` : 'No answer.',
        );
      } catch (err) {
        analogyResults.replaceChildren();
        setStatus(analogyStatus, errorText(err), true);
      }
    })();
  });

  // Map.
  let mapSequence = 0;
  async function drawMap(): Promise<void> {
    const method = mapMethod.value;
    const n = Number(mapN.value);
    const mine = ++mapSequence;
    mapSummary = `Projecting ${count(n)} words with ${method.toUpperCase()}…`;
    showMapStatus();
    try {
      const reply = await api<MapReply>('/api/map', { n, method });
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
  void drawMap();

  // Training log.
  if (info.log !== null) void followLog();

  const fromHash = /^#word=(.+)$/.exec(location.hash);
  if (fromHash) void runSearch(decodeURIComponent(fromHash[1]!));
  document.body.dataset.ready = 'true';
}

/** Shows the loss curve, refreshing it every few seconds while the run is still writing the log. */
async function followLog(): Promise<void> {
  const panel = byId('loss-panel');
  const status = byId('loss-status');
  const image = byId<HTMLImageElement>('loss-chart');
  panel.hidden = false;
  let url: string | undefined;
  for (;;) {
    try {
      const log = await api<LogReply>('/api/log');
      const response = await fetch('/api/loss.svg');
      if (!response.ok) throw new Error(`loss chart: ${response.status}`);
      const next = URL.createObjectURL(await response.blob());
      image.src = next;
      if (url) URL.revokeObjectURL(url);
      url = next;
      const last = log.records.at(-1);
      if (!last) setStatus(status, 'No training progress recorded yet.');
      else {
        const percent = last.totalWords > 0 ? (100 * last.words) / last.totalWords : 0;
        const loss = last.loss === null ? 'n/a' : last.loss.toFixed(4);
        setStatus(
          status,
          `${log.done ? 'Finished' : 'Training'}: epoch ${last.epoch}/${last.epochs}, ${percent.toFixed(1)}% of ` +
            `${count(last.totalWords)} words, loss ${loss}, learning rate ${last.alpha.toPrecision(3)}, ` +
            `${count(Math.round(last.wordsPerSecond))} words/s`,
        );
      }
      if (log.done) return;
    } catch (err) {
      setStatus(status, errorText(err), true);
    }
    await new Promise((resolve) => setTimeout(resolve, 5000));
  }
}

main().catch((err: unknown) => {
  document.body.dataset.ready = 'error';
  const message = document.createElement('p');
  message.className = 'status error';
  message.textContent = `The explorer could not start: ${errorText(err)}`;
  document.body.prepend(message);
});
