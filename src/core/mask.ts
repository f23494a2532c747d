/**
 * Masks a personal value for reports and summaries: the first character of each run of letters
 * or digits stays, the rest become "•", punctuation stays ("john@@gmail.com" → "j•••@@g••••.c••"),
 * so a reader sees the shape of the problem without the person's data.
 */
export function maskValue(value: string): string {
  return value.replace(/[\p{L}\p{N}]+/gu, (run) => {
    const chars = Array.from(run);
    return chars[0] + '•'.repeat(chars.length - 1);
  });
}
