// The training panel: the loss chart and the run's latest progress, from
// /api/log and /api/loss.svg. The chart is drawn by the server at the width
// it takes on the page, so its text keeps its size on a narrow window.
import { api } from './api-client.js';
import { byId, count, errorText, setStatus } from './dom.js';

/** The chart's width and height in CSS pixels for a panel `available` pixels wide. */
function chartSize(available: number): { width: number; height: number } {
  const width = Math.max(200, Math.min(1200, Math.floor(available)));
  return { width, height: Math.round(Math.max(220, Math.min(320, width * 0.5))) };
}

/** Shows the loss curve, refreshing it every few seconds while the run is still writing the log. */
export async function followLog(): Promise<void> {
  const panel = byId('loss-panel');
  const status = byId('loss-status');
  const image = byId<HTMLImageElement>('loss-chart');
  panel.hidden = false;
  let url: string | undefined;
  let drawnWidth = 0;
  const drawChart = async (): Promise<void> => {
    const { width, height } = chartSize(panel.clientWidth - paddingX(panel));
    const response = await fetch(`/api/loss.svg?width=${width}&height=${height}`);
    if (!response.ok) throw new Error(`loss chart: ${response.status}`);
    const next = URL.createObjectURL(await response.blob());
    image.width = width;
    image.height = height;
    image.src = next;
    if (url) URL.revokeObjectURL(url);
    url = next;
    drawnWidth = width;
  };
  let resizeTimer: number | undefined;
  new ResizeObserver(() => {
    window.clearTimeout(resizeTimer);
    resizeTimer = window.setTimeout(() => {
      const { width } = chartSize(panel.clientWidth - paddingX(panel));
      if (drawnWidth > 0 && width !== drawnWidth) drawChart().catch(() => {});
    }, 150);
  }).observe(panel);
  for (;;) {
    try {
      const log = await api('/api/log');
      await drawChart();
      const last = log.records.at(-1);
      if (!last) setStatus(status, 'No training progress recorded yet.');
      else {
        const percent = last.totalWords > 0 ? (100 * last.words) / last.totalWords : 0;
        setStatus(
          status,
          `${log.done ? 'Finished' : 'Training'}: epoch ${last.epoch}/${last.epochs}, ${percent.toFixed(1)}% of ` +
            `${count(last.totalWords)} words, ${log.lastLoss ?? 'no loss yet'}, learning rate ${last.alpha.toPrecision(3)}, ` +
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

/** The horizontal padding of an element, in pixels. */
function paddingX(element: HTMLElement): number {
  const style = getComputedStyle(element);
  return parseFloat(style.paddingLeft) + parseFloat(style.paddingRight);
}
