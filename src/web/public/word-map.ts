// The map canvas: the projected words as points, with zoom, pan, hover
// labels and groups of words highlighted (the search's, the analogy's),
// including words placed on the map beyond its most frequent ones.

/** Words marked on the map in one colour; `lead` words (the searched word, say) larger and always labelled. */
export interface HighlightGroup {
  /** Names the group's count on the canvas: `data-highlighted-<name>`. */
  name: string;
  lead: readonly string[];
  words: readonly string[];
  color: string;
  labelColor: string;
}

interface View {
  scale: number;
  offsetX: number;
  offsetY: number;
}

/** Points on a canvas with zoom (wheel), pan (drag), hover labels and highlights. */
export class WordMap {
  private words: string[] = [];
  private xs = new Float64Array(0);
  private ys = new Float64Array(0);
  private index = new Map<string, number>();
  private view: View = { scale: 1, offsetX: 0, offsetY: 0 };
  private groups: readonly HighlightGroup[] = [];
  /** Points 0 … base - 1 are the map's words; the rest were placed on it. */
  private base = 0;
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

  /** Shows a new map, fitted to the canvas; words placed on the old one are dropped. */
  setPoints(words: readonly string[], coords: readonly number[]): void {
    this.base = 0;
    this.setPlaced(words, coords);
    this.base = words.length;
    this.canvas.dataset.points = String(words.length);
    this.canvas.dataset.placed = '0';
    this.fit();
  }

  /** Replaces the words placed on the map beyond its own (their points from the same projection). */
  setPlaced(words: readonly string[], coords: readonly number[]): void {
    const n = this.base + words.length;
    const xs = new Float64Array(n);
    const ys = new Float64Array(n);
    xs.set(this.xs.subarray(0, this.base));
    ys.set(this.ys.subarray(0, this.base));
    this.words = [...this.words.slice(0, this.base), ...words];
    this.index = new Map();
    for (let i = 0; i < n; i++) {
      if (i >= this.base) {
        xs[i] = coords[2 * (i - this.base)]!;
        ys[i] = coords[2 * (i - this.base) + 1]!;
      }
      if (!this.index.has(this.words[i]!)) this.index.set(this.words[i]!, i);
    }
    this.xs = xs;
    this.ys = ys;
    this.hover = -1;
    this.canvas.dataset.placed = String(words.length);
    this.schedule();
  }

  /** Marks groups of words, later groups over earlier ones; returns how many words of each are on the map. */
  highlight(groups: readonly HighlightGroup[]): number[] {
    this.groups = groups;
    this.schedule();
    return groups.map(
      (g) => new Set([...g.lead, ...g.words].filter((w) => this.index.has(w))).size,
    );
  }

  /** Whether the word is among the map's own words (not placed on it). */
  isMapWord(word: string): boolean {
    const i = this.index.get(word);
    return i !== undefined && i < this.base;
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
      if (i < this.base) visible++;
      ctx.fillRect(x - radius, y - radius, 2 * radius, 2 * radius);
    }
    // The map's own words in view (those placed on it are counted apart, in data-placed).
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
    const highlighted = new Set<number>();
    const forced: Array<[number, string]> = [];
    const fitted: Array<[number, string]> = [];
    for (const group of this.groups) {
      let shown = 0;
      const mark = (word: string, radius: number, labels: Array<[number, string]>): void => {
        const i = this.index.get(word);
        if (i === undefined) return;
        shown++;
        highlighted.add(i);
        this.dot(ctx, i, group.color, radius);
        labels.push([i, group.labelColor]);
      };
      for (const word of group.words) if (!group.lead.includes(word)) mark(word, 4, fitted);
      for (const word of group.lead) mark(word, 6, forced);
      this.canvas.dataset[`highlighted${group.name[0]!.toUpperCase()}${group.name.slice(1)}`] =
        String(shown);
    }
    if (this.hover >= 0) this.dot(ctx, this.hover, '#1f2328', 4);
    this.canvas.dataset.highlighted = String(highlighted.size);
    if (this.hover >= 0) label(this.hover, '#1f2328', 'bold', true);
    for (const [i, color] of forced.reverse()) label(i, color, 'bold', true);
    for (const [i, color] of fitted.reverse()) label(i, color, 'bold', false);
    let labelled = 0;
    for (let i = 0; i < this.base && labelled < 150; i++) {
      if (label(i, '#57606a', 'normal', false)) labelled++;
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
