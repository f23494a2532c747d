type TypedArray = Uint8Array | Uint16Array | Uint32Array | Int32Array | Float64Array;

/**
 * A copy of `a` with room for at least `min` elements, and at least half as many again as it
 * had: for typed arrays filled as they go, whose final size is not known beforehand.
 */
export function grow<T extends TypedArray>(a: T, min: number): T {
  const next = new (a.constructor as new (n: number) => T)(Math.max(min, Math.ceil(a.length * 1.5)));
  next.set(a as never);
  return next;
}
