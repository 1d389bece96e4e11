// The training panel: the loss chart and the run's latest progress, from
// /api/log and /api/loss.svg.
import { api } from './api-client.js';
import { byId, count, errorText, setStatus } from './dom.js';

/** Shows the loss curve, refreshing it every few seconds while the run is still writing the log. */
export async function followLog(): Promise<void> {
  const panel = byId('loss-panel');
  const status = byId('loss-status');
  const image = byId<HTMLImageElement>('loss-chart');
  panel.hidden = false;
  let url: string | undefined;
  for (;;) {
    try {
      const log = await api('/api/log');
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
