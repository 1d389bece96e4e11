/**
 * The training loss curve as a self-contained SVG, drawn from progress-log
 * records. Used by `w2v plot` (SVG, or PNG through resvg) and by the web
 * explorer's `/api/loss.svg`, so both show the same picture.
 *
 * Only presentation attributes are used (no <style>, no inline style), so
 * the image also renders under a strict Content-Security-Policy.
 */
import type { ProgressRecord } from '../io/progress-log.js';
import { LOSS_LABELS, lastLossText } from '../loss-figures.js';

export interface LossChartOptions {
  /** Pixels. Default 800. */
  width?: number;
  /** Pixels. Default 400. */
  height?: number;
  /** Horizontal axis: corpus words trained (default) or seconds since the start. */
  x?: 'words' | 'time';
  /** Heading above the plot. Default "Training loss". */
  title?: string;
}

interface Point {
  x: number;
  y: number;
}

const COLORS = {
  loss: '#1f6feb',
  alpha: '#d9822b',
  grid: '#e4e7eb',
  axis: '#57606a',
  text: '#24292f',
  epoch: '#afb8c1',
};
const FONT = 'DejaVu Sans, Liberation Sans, Helvetica, Arial, sans-serif';

/**
 * Round tick values covering [min, max]: steps of 1, 2 or 5 × 10^k, about
 * `count` of them.
 * @example
 * niceTicks(0, 17.3, 5); // [0, 5, 10, 15]
 */
export function niceTicks(min: number, max: number, count = 5): number[] {
  if (!Number.isFinite(min) || !Number.isFinite(max)) return [];
  if (max < min) [min, max] = [max, min];
  if (max === min) return [min];
  const rough = (max - min) / Math.max(1, count);
  const power = 10 ** Math.floor(Math.log10(rough));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= rough) ?? 10 * power;
  const ticks: number[] = [];
  for (let v = Math.ceil(min / step - 1e-9) * step; v <= max + step * 1e-9; v += step) {
    ticks.push(Number(v.toPrecision(12)));
  }
  return ticks;
}

/** Tick label: 12.5M words, 3.2k, 0.0125 … without float noise. */
function formatTick(value: number): string {
  const abs = Math.abs(value);
  if (abs >= 1e9) return `${trim(value / 1e9)}G`;
  if (abs >= 1e6) return `${trim(value / 1e6)}M`;
  if (abs >= 1e4) return `${trim(value / 1e3)}k`;
  return trim(value);
}

function trim(value: number): string {
  return String(Number(value.toPrecision(4)));
}

function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function formatSeconds(seconds: number): string {
  if (seconds < 120) return `${trim(seconds)}s`;
  if (seconds < 7200) return `${trim(seconds / 60)}min`;
  return `${trim(seconds / 3600)}h`;
}

/** Extends [min, max] a little so a curve does not touch the frame, and never to zero width. */
function padRange(min: number, max: number): [number, number] {
  if (!Number.isFinite(min) || !Number.isFinite(max)) return [0, 1];
  if (max === min) {
    const pad = Math.abs(min) * 0.1 || 1;
    return [min - pad, max + pad];
  }
  const pad = (max - min) * 0.05;
  return [min - pad, max + pad];
}

/**
 * Renders the loss (left axis) and learning rate (right axis) of a training
 * run, with a dashed line at each epoch boundary.
 * @example
 * const svg = lossChartSvg(parseProgressLog(await readFile('train.jsonl', 'utf8')));
 */
export function lossChartSvg(
  records: readonly ProgressRecord[],
  options: LossChartOptions = {},
): string {
  const width = options.width ?? 800;
  const height = options.height ?? 400;
  const byTime = options.x === 'time';
  const title = options.title ?? 'Training loss';
  const train = records.filter((r) => r.phase === 'train');
  const xOf = (r: ProgressRecord): number => (byTime ? r.elapsedSeconds : r.words);
  const loss: Point[] = train
    .filter((r) => r.loss !== null)
    .map((r) => ({ x: xOf(r), y: r.loss ?? 0 }));
  const alpha: Point[] = train.map((r) => ({ x: xOf(r), y: r.alpha }));

  const margin = { top: 40, right: 74, bottom: 48, left: 64 };
  const plotW = Math.max(10, width - margin.left - margin.right);
  const plotH = Math.max(10, height - margin.top - margin.bottom);
  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" ` +
      `font-family="${FONT}" font-size="12" role="img" aria-label="${escapeXml(title)}">`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="${margin.left}" y="24" font-size="15" font-weight="bold" fill="${COLORS.text}">${escapeXml(title)}</text>`,
  );

  if (loss.length === 0) {
    out.push(
      `<rect x="${margin.left}" y="${margin.top}" width="${plotW}" height="${plotH}" fill="none" stroke="${COLORS.grid}"/>`,
      `<text x="${margin.left + plotW / 2}" y="${margin.top + plotH / 2}" text-anchor="middle" fill="${COLORS.axis}">` +
        'No loss recorded yet</text>',
      '</svg>',
    );
    return out.join('\n') + '\n';
  }

  const xMax = Math.max(
    byTime ? 0 : (train.at(-1)?.totalWords ?? 0),
    ...alpha.map((p) => p.x),
    ...loss.map((p) => p.x),
  );
  const [x0, x1] = [0, xMax > 0 ? xMax : 1];
  const [l0, l1] = padRange(Math.min(...loss.map((p) => p.y)), Math.max(...loss.map((p) => p.y)));
  const [a0, a1] = padRange(0, Math.max(...alpha.map((p) => p.y)));
  const sx = (x: number): number => margin.left + ((x - x0) / (x1 - x0)) * plotW;
  const sl = (y: number): number => margin.top + plotH - ((y - l0) / (l1 - l0)) * plotH;
  const sa = (y: number): number => margin.top + plotH - ((y - a0) / (a1 - a0)) * plotH;
  const f = (v: number): string => v.toFixed(1);

  // Grid and left axis (loss).
  // Tick labels about 36 px apart at most up and down, 64 px across, so a small chart stays legible.
  const yTicks = Math.max(2, Math.min(6, Math.floor(plotH / 36)));
  const xTicks = Math.max(2, Math.min(8, Math.floor(plotW / 64)));
  for (const t of niceTicks(l0, l1, yTicks)) {
    if (t < l0 || t > l1) continue;
    out.push(
      `<line x1="${margin.left}" x2="${margin.left + plotW}" y1="${f(sl(t))}" y2="${f(sl(t))}" stroke="${COLORS.grid}"/>`,
      `<text x="${margin.left - 8}" y="${f(sl(t) + 4)}" text-anchor="end" fill="${COLORS.loss}">${formatTick(t)}</text>`,
    );
  }
  // Right axis (learning rate).
  for (const t of niceTicks(a0, a1, Math.min(5, yTicks))) {
    if (t < a0 || t > a1) continue;
    out.push(
      `<text x="${margin.left + plotW + 8}" y="${f(sa(t) + 4)}" fill="${COLORS.alpha}">${formatTick(t)}</text>`,
    );
  }
  // Bottom axis.
  for (const t of niceTicks(x0, x1, xTicks)) {
    out.push(
      `<line x1="${f(sx(t))}" x2="${f(sx(t))}" y1="${margin.top + plotH}" y2="${margin.top + plotH + 5}" stroke="${COLORS.axis}"/>`,
      `<text x="${f(sx(t))}" y="${margin.top + plotH + 18}" text-anchor="middle" fill="${COLORS.axis}">` +
        `${byTime ? formatSeconds(t) : formatTick(t)}</text>`,
    );
  }
  // Epoch boundaries (only meaningful against words).
  const last = train.at(-1);
  if (!byTime && last && last.epochs > 1 && last.totalWords > 0) {
    // "epoch 2" where there is room for it, else only the number.
    const roomy = plotW / last.epochs >= 48;
    for (let e = 1; e < last.epochs; e++) {
      const x = sx((last.totalWords / last.epochs) * e);
      out.push(
        `<line x1="${f(x)}" x2="${f(x)}" y1="${margin.top}" y2="${margin.top + plotH}" stroke="${COLORS.epoch}" stroke-dasharray="4 4"/>`,
        `<text x="${f(x + 4)}" y="${margin.top + 12}" font-size="10" fill="${COLORS.axis}">${roomy ? 'epoch ' : ''}${e + 1}</text>`,
      );
    }
  }
  out.push(
    `<rect x="${margin.left}" y="${margin.top}" width="${plotW}" height="${plotH}" fill="none" stroke="${COLORS.axis}"/>`,
    `<text x="${margin.left + plotW / 2}" y="${height - 8}" text-anchor="middle" fill="${COLORS.text}">` +
      `${byTime ? 'time since start' : 'words trained'}</text>`,
    `<text transform="translate(16 ${margin.top + plotH / 2}) rotate(-90)" text-anchor="middle" fill="${COLORS.loss}">loss</text>`,
    `<text transform="translate(${width - 12} ${margin.top + plotH / 2}) rotate(90)" text-anchor="middle" fill="${COLORS.alpha}">` +
      'learning rate</text>',
  );

  const path = (points: readonly Point[], sy: (y: number) => number): string =>
    points.map((p, i) => `${i === 0 ? 'M' : 'L'}${f(sx(p.x))} ${f(sy(p.y))}`).join(' ');
  out.push(
    `<path d="${path(alpha, sa)}" fill="none" stroke="${COLORS.alpha}" stroke-width="1.5" stroke-dasharray="6 3"/>`,
    `<path d="${path(loss, sl)}" fill="none" stroke="${COLORS.loss}" stroke-width="2" stroke-linejoin="round"/>`,
  );
  if (loss.length === 1) {
    const p = loss[0]!;
    out.push(`<circle cx="${f(sx(p.x))}" cy="${f(sl(p.y))}" r="3" fill="${COLORS.loss}"/>`);
  }
  // Legend, top right inside the plot: what the curve is, and the loss the
  // run ends with under the name the progress bar and the summary give it.
  const lx = margin.left + plotW - 160;
  const ly = margin.top + 16;
  const ending = lastLossText(train) ?? '';
  out.push(
    `<rect x="${lx - 8}" y="${ly - 12}" width="160" height="58" fill="#ffffff" fill-opacity="0.85" stroke="${COLORS.grid}"/>`,
    `<line x1="${lx}" x2="${lx + 20}" y1="${ly - 4}" y2="${ly - 4}" stroke="${COLORS.loss}" stroke-width="2"/>`,
    `<text x="${lx + 26}" y="${ly}" fill="${COLORS.text}">${LOSS_LABELS.interval}</text>`,
    `<line x1="${lx}" x2="${lx + 20}" y1="${ly + 14}" y2="${ly + 14}" stroke="${COLORS.alpha}" stroke-width="1.5" stroke-dasharray="6 3"/>`,
    `<text x="${lx + 26}" y="${ly + 18}" fill="${COLORS.text}">learning rate</text>`,
    `<text x="${lx}" y="${ly + 36}" fill="${COLORS.text}" class="last-loss">${escapeXml(ending)}</text>`,
    '</svg>',
  );
  return out.join('\n') + '\n';
}
