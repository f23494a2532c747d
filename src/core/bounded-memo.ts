/**
 * A bounded memo table: emptied when full, which keeps it O(1) and its memory flat. For values
 * that repeat across records but not without end (names, places, a value encrypted twice).
 */
export class BoundedMemo<V> {
  private readonly map = new Map<string, V>();

  constructor(private readonly maxEntries: number) {}

  get(key: string): V | undefined {
    return this.map.get(key);
  }

  put(key: string, value: V): void {
    if (this.map.size >= this.maxEntries) this.map.clear();
    this.map.set(key, value);
  }

  /** The value under `key`, made by `make` (and kept) when there is none. */
  getOrMake(key: string, make: () => V): V {
    let v = this.map.get(key);
    if (v === undefined) this.put(key, (v = make()));
    return v;
  }
}
