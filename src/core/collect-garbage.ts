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
export function collectGarbage(): void {
  if (gc === undefined) {
    try {
      setFlagsFromString('--expose-gc');
      gc = runInNewContext('gc') as () => void;
    } catch {
      gc = null;
    }
  }
  gc?.();
}
