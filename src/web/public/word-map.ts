// The map canvas: the projected words as points, with zoom, pan, hover
// labels and the searched word and its neighbours highlighted.

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
