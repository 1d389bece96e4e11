/**
 * How a run's loss is shown, in one place, so the progress bar, the
 * summary of `w2v train`, `w2v plot` and the explorer's page give the same
 * figure, with the same digits and name, where they mean the same thing.
 *
 * A run has two losses, both the mean loss per training example:
 * - over the last reporting interval (`TrainProgress.loss`, a log record's
 *   `loss`): the points of the loss curve;
 * - over the epoch (`TrainProgress.epochLoss`, a record's `epochLoss`): the
 *   epoch under way so far, and at the end of a run its last epoch, which is
 *   `TrainSummary.finalLoss`.
 */

/** Decimals every loss is shown with. */
export const LOSS_DECIMALS = 4;

/** The names of the two losses where they are shown. */
export const LOSS_LABELS = {
  /** The mean over the last reporting interval (a point of the curve). */
  interval: 'interval loss',
  /** The mean over the epoch so far; at the end of a run, over its last epoch. */
  epoch: 'epoch loss',
  /** The summary's figure: the mean over the last epoch, the last `epoch loss` of the run. */
  final: 'final loss',
  /** What the final loss is, beside it. */
  finalNote: 'mean of the last epoch',
} as const;

/**
 * @example
 * formatLoss(2.55691); // '2.5569'
 * formatLoss(NaN);     // 'n/a'
 */
export function formatLoss(loss: number | null | undefined, missing = 'n/a'): string {
  return typeof loss === 'number' && Number.isFinite(loss) ? loss.toFixed(LOSS_DECIMALS) : missing;
}

/** What a log's records hold of the loss (a subset of `ProgressRecord`). */
interface LossRecord {
  phase: 'vocab' | 'train';
  loss: number | null;
  epochLoss?: number | null;
}

/**
 * The loss a log ends with, as a chart's legend or a page names it: the
 * last epoch's mean (the summary's final loss) when the log has it, else the
 * last interval's (logs written before records had `epochLoss`).
 * @example
 * lastLossText(records); // 'epoch loss 2.5569'
 */
export function lastLossText(records: readonly LossRecord[]): string | undefined {
  const train = records.filter((r) => r.phase === 'train');
  const withEpoch = train.filter((r) => typeof r.epochLoss === 'number');
  const last = withEpoch.at(-1);
  if (last) return `${LOSS_LABELS.epoch} ${formatLoss(last.epochLoss)}`;
  const interval = train.filter((r) => r.loss !== null).at(-1);
  return interval ? `${LOSS_LABELS.interval} ${formatLoss(interval.loss)}` : undefined;
}
