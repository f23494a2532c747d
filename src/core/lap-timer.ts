/**
 * A lap timer for the phases of a stage: `lap(phase)` adds the wall time since the previous lap
 * (or since the timer was made) to `into[prefix + phase]`, in whole milliseconds; a phase timed
 * again adds up. `lap()` only restarts the clock (time not to count). Without `into` nothing is
 * kept.
 */
export function lapTimer(into: Record<string, number> | undefined, prefix = ''): (phase?: string) => void {
  let mark = performance.now();
  return (phase) => {
    const now = performance.now();
    if (into && phase !== undefined) into[prefix + phase] = (into[prefix + phase] ?? 0) + Math.round(now - mark);
    mark = now;
  };
}
