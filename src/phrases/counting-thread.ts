// The worker thread of a ThreadedCounter: counts each batch of ids the ring
// brings, in order, keeps the candidates within their budget at each
// checkpoint, and at the end posts the tallies (their buffers transferred).
import { workerData } from 'node:worker_threads';
import { GramCounter } from './gram-counter.js';
import {
  CHECKPOINT,
  END,
  flagsAt,
  lengthAt,
  RING,
  ringOf,
  stateAt,
  type CountingThreadReply,
  type CountingThreadSetup,
} from './threaded-counter.js';

const { options, buffer, port } = workerData as CountingThreadSetup;
const { control, otherBytes, ids } = ringOf(buffer);

function finish(
  status: number,
  reply: CountingThreadReply,
  transferList: ArrayBuffer[] = [],
): void {
  port.postMessage(reply, transferList);
  port.close();
  Atomics.store(control, RING.STATUS, status);
  Atomics.notify(control, RING.STATUS);
  for (let s = 0; s < RING.SLOTS; s++) Atomics.notify(control, stateAt(s));
}

try {
  const counter = new GramCounter(options);
  for (let slot = 0; ; slot = (slot + 1) % RING.SLOTS) {
    while (Atomics.load(control, stateAt(slot)) !== RING.FULL)
      Atomics.wait(control, stateAt(slot), RING.EMPTY);
    const from = slot * RING.SLOT_IDS;
    const flags = control[flagsAt(slot)];
    counter.push(ids.subarray(from, from + control[lengthAt(slot)]));
    if (flags & CHECKPOINT) counter.keepWithin(otherBytes[slot]);
    Atomics.store(control, RING.CANDIDATES, counter.candidates);
    Atomics.store(control, stateAt(slot), RING.EMPTY);
    Atomics.notify(control, stateAt(slot));
    if (flags & END) break;
  }
  const { parts, transferList } = counter.toParts();
  finish(RING.DONE, { parts }, transferList);
} catch (error) {
  finish(RING.FAILED, { error: error instanceof Error ? error.message : String(error) });
}
