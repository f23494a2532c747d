import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

let gc: (() => void) | null | undefined;

/**
 * A full garbage collection of this thread's heap, now (nothing where V8 will not allow it).
 *
 * For a thread that leaves a phase's garbage behind and then works (or waits) for long without
 * allocating: V8 collects when a heap grows, so that garbage stays. The matching threads' key
 * interning left ~150 MB each through the comparing phase, the run's peak, and the main thread
 * ~300 MB of rows read (BENCHMARKS.md, session 12). Shared memory (SharedArrayBuffer) is given
 * back only once every thread that held it has collected.
 * `--expose-gc` can be set at run time; the `gc` function appears in contexts made after it
 * (the same trick as the expose-gc package). A collection of a thread's few hundred megabytes
 * takes some 100 ms.
 */
export function collectGarbage(opts: { compact?: boolean } = {}): void {
  if (gc === undefined) {
    try {
      setFlagsFromString('--expose-gc');
      gc = runInNewContext('gc') as () => void;
    } catch {
      gc = null;
    }
  }
  if (!gc) return;
  // V8 keeps the pages a collection empties only partly: the heap stays committed at its high
  // mark (the main thread after reading a million records: 685 MB committed, 358 used). A
  // compacting collection moves what is live together and gives the rest back, at the price of
  // a passing copy of it: for a moment when this thread is alone (the flag is the process's,
  // and a thread compacting beside others holding their memory raised the run's peak by 150 MB).
  if (opts.compact) setFlagsFromString('--compact-on-every-full-gc');
  try {
    gc();
  } finally {
    if (opts.compact) setFlagsFromString('--no-compact-on-every-full-gc');
  }
}
