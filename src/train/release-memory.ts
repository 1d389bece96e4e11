import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

let collect: (() => void) | undefined;

/**
 * Runs a full garbage collection now. Between counting the corpus and
 * training, the tokenizer's memory and the corpus in its first encoding
 * (together about 6 bytes a token) are garbage, but V8 frees large buffers
 * only when it next collects, which can be after the model memory and the
 * threads have been added on top: the run's peak memory. Collecting here
 * keeps that peak down to what training needs.
 */
export function releaseMemory(): void {
  if (!collect) {
    setFlagsFromString('--expose-gc');
    collect = runInNewContext('gc') as () => void;
  }
  collect();
}
