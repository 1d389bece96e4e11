import assert from 'node:assert/strict';
import { TrainingInterrupted } from '../src/train/checkpoint.js';
import { train } from '../src/train/trainer.js';
import type { TrainRequest } from '../src/train/types.js';

/** Trains with a checkpoint and stops the run once it has trained `words`; returns the error it stopped with. */
export async function trainAndStop(
  request: TrainRequest,
  path: string,
  words: number,
): Promise<TrainingInterrupted> {
  const stop = new AbortController();
  const error = await train({
    ...request,
    checkpoint: { path },
    signal: stop.signal,
    progressIntervalMs: 1,
    onProgress: (p) => {
      if (p.phase === 'train' && p.words >= words) stop.abort('test');
    },
  }).then(
    () => assert.fail('the run should have been stopped'),
    (e: unknown) => e,
  );
  assert.ok(error instanceof TrainingInterrupted, String(error));
  return error;
}
