// Word splitting for the hot paths (internal module). String#split goes through a runtime call
// that costs more than the whole of a short address or name rule; an indexOf/slice loop does not.

/** Splits on single spaces, dropping empty words (from leading, trailing or double spaces). */
export function splitWords(s: string): string[] {
  const out: string[] = [];
  let start = 0;
  for (let i = s.indexOf(' '); i >= 0; i = s.indexOf(' ', start)) {
    if (i > start) out.push(s.slice(start, i));
    start = i + 1;
  }
  if (start < s.length) out.push(s.slice(start));
  return out;
}
