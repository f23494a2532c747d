/**
 * The fast path of the XML connector: reads one record element straight from the scanner's
 * buffer into its columns, in one pass, without building a tree.
 *
 * Why: fast-xml-parser 5 costs 100–300 µs per customer-sized element here (a parser set up per
 * call, path matchers, a second pass to compress the tree) plus its validator, which caps a read
 * at 5,000–10,000 records/s; cutting each element out and then parsing it also reads every
 * byte twice. This reader gives the same columns as fast-xml-parser followed by
 * {@link flattenRecord} / {@link readColumn} (a differential test holds the two to it), about
 * twenty times faster. It is deliberately strict: anything it does not fully handle (an entity
 * other than the five XML ones and character references, a duplicate attribute, a mismatched
 * tag, a DOCTYPE, an unusual name) makes it give up, and that element goes through
 * fast-xml-parser's validator and parser, which decide and word the error. So it never accepts
 * an element the validator refuses.
 */
import { REPEAT_SEPARATOR, type ColumnSegment } from './xml-fields.js';

const LT = 60; // <
const GT = 62; // >
const SLASH = 47;
const EQ = 61;
const DQ = 34;
const SQ = 39;

/** The element is not complete in the text given: read on and call again. */
export const NEED_MORE = -1;
/** The element needs the full parser (or is not well-formed). */
export const GIVE_UP = -2;

const NAME = /^[A-Za-z_:\u00c0-\ud7ff\uf900-\ufffd][\w:.\-\u00b7\u00c0-\ud7ff\uf900-\ufffd]*$/;
const RESERVED = new Set(['__proto__', 'constructor', 'prototype']);
/** Distinct names, children per element and record shapes remembered; past these, slower paths. */
const MAX_NAMES = 10_000;
const MAX_KIDS = 256;
const MAX_SHAPES = 2_000;

function isSpace(c: number): boolean {
  return c === 32 || c === 10 || c === 9 || c === 13;
}

const ENTITIES: Readonly<Record<string, string>> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

/** Decodes the five XML entities and character references; undefined on anything else. */
export function decodeEntities(s: string): string | undefined {
  let out = '';
  let from = 0;
  let amp = s.indexOf('&');
  while (amp >= 0) {
    const semi = s.indexOf(';', amp + 1);
    if (semi < 0 || semi - amp > 12) return undefined;
    const ref = s.slice(amp + 1, semi);
    let ch: string | undefined;
    if (ref.charCodeAt(0) === 35 /* # */) {
      const hexRef = ref.charCodeAt(1) === 120; /* x */
      const digits = ref.slice(hexRef ? 2 : 1);
      const code = digits && (hexRef ? /^[0-9a-fA-F]+$/ : /^[0-9]+$/).test(digits) ? parseInt(digits, hexRef ? 16 : 10) : NaN;
      if (!(code >= 1 && code <= 0x10ffff) || (code >= 0xd800 && code <= 0xdfff)) return undefined;
      ch = String.fromCodePoint(code);
    } else {
      ch = ENTITIES[ref];
      if (ch === undefined) return undefined;
    }
    out += s.slice(from, amp) + ch;
    from = semi + 1;
    amp = s.indexOf('&', from);
  }
  return from === 0 ? s : out + s.slice(from);
}

/**
 * A column of the output (an element's or attribute's dotted path, or a configured column),
 * shared by all records. `serial`/`slot` place its value in the record being read without a
 * hash lookup.
 */
class Key {
  serial = 0;
  slot = 0;
  constructor(readonly name: string) {}
}

/** An element path: its column, and its children's and attributes' paths. */
class PathNode {
  readonly kidNames: string[] = [];
  readonly kids: PathNode[] = [];
  readonly attrNames: string[] = [];
  readonly attrKeys: Key[] = [];
  readonly key: Key;
  constructor(readonly path: string) {
    this.key = new Key(path || '#text');
  }
  addChild(name: string): PathNode {
    const k = new PathNode(this.path ? `${this.path}.${name}` : name);
    if (this.kids.length < MAX_KIDS) {
      this.kidNames.push(name);
      this.kids.push(k);
    }
    return k;
  }
  attr(name: string): Key {
    const i = this.attrNames.indexOf(name);
    if (i >= 0) return this.attrKeys[i]!;
    const a = new Key(this.path ? `${this.path}.@${name}` : `@${name}`);
    if (this.attrNames.length < MAX_KIDS) {
      this.attrNames.push(name);
      this.attrKeys.push(a);
    }
    return a;
  }
}

/**
 * A sequence of keys records have had, in order. Records of one export mostly share a few
 * shapes; each gets a factory that builds the columns object as a literal, which is much
 * cheaper than adding a dozen computed keys one by one (each a megamorphic store and a map
 * transition in V8).
 */
class Shape {
  readonly nextKeys: Key[] = [];
  readonly next: Shape[] = [];
  build: ((v: readonly string[]) => Record<string, string>) | null = null;
}

function compileShape(names: readonly string[]): (v: readonly string[]) => Record<string, string> {
  // Property names only, each a JSON string literal; the values are passed in.
  const body = `return {${names.map((n, i) => `${JSON.stringify(n)}: v[${i}]`).join(', ')}};`;
  return new Function('v', body) as (v: readonly string[]) => Record<string, string>;
}

interface Column {
  name: string;
  segs: readonly ColumnSegment[];
  key: Key;
  /** The attribute the column ends at (`@type` → `type`), or null. */
  attr: string | null;
}

/** An open element. */
interface Frame {
  name: string;
  node: PathNode;
  text: string;
  hasKids: boolean;
  hasAttrs: boolean;
  /**
   * Occurrences of each child name so far, for `[n]` (only when a column needs them): names and
   * counts side by side, `nCounts` of them. Kept with the frame from record to record (a new
   * Map per element was a tenth of what a record allocated, and Map.clear() allocates too).
   */
  countNames: string[];
  counts: number[];
  nCounts: number;
  /** Columns whose first `depth` segments this element matches. */
  matches: number[] | null;
  /** Index in `node.kids` of the last child read. */
  kidHint: number;
  depth: number;
}

/**
 * Reads record elements into columns: every leaf path (`all`), and/or the given column paths
 * (with `[n]` occurrence indexes), exactly as {@link flattenRecord} and {@link readColumn}
 * read fast-xml-parser's tree.
 */
export class FastRecordReader {
  private readonly root = new PathNode('');
  private readonly names = new Set<string>();
  private readonly columns: Column[];
  private readonly rootMatches: number[] | null;
  /** By depth, the element names some column picks by occurrence (`name[n]`): only these are counted. */
  private readonly counted: (Set<string> | undefined)[] = [];
  /** childMatches answers: by the parent's matches, the child's name, its occurrence. */
  private readonly matchMemo = new Map<number[], Map<string, (number[] | null)[]>>();
  /** Frames by depth, reused from record to record. */
  private readonly frames: Frame[] = [];
  private readonly stack: Frame[] = [];
  /** Attribute names of the start tag being read. */
  private readonly attrs: string[] = [];
  /** The record being read: its keys in order, their values (`count` of them), its shape so far. */
  private serial = 0;
  private readonly keys: Key[] = [];
  private values: string[] = [];
  private count = 0;
  private shape: Shape | null = null;
  private readonly shapes = new Shape();
  private shapeCount = 0;
  /** Column values of the record being read, joined as they come. */
  private colValues: (string | undefined)[] = [];
  /** Next `&` and `\r` in `text` at or after the read position (or -1), to skip decoding text without them. */
  private text = '';
  private nextAmp = -1;
  private nextCr = -1;
  /** Next `]]>` likewise: text may not hold one outside CDATA. */
  private nextCdataEnd = -1;
  private fields: Record<string, string> = {};

  /**
   * @param all every leaf becomes a column, repeated values joined
   * @param columns column paths to read as well (only these, and always present, when `all` is false)
   */
  constructor(
    private readonly all: boolean,
    columns: readonly { name: string; segs: readonly ColumnSegment[] }[],
  ) {
    this.columns = columns.map((c) => {
      const last = c.segs[c.segs.length - 1]?.key ?? '';
      return { ...c, key: new Key(c.name), attr: last.startsWith('@') ? last.slice(1) : null };
    });
    this.rootMatches = this.columns.length ? this.columns.map((_, i) => i) : null;
    this.colValues = new Array<string | undefined>(this.columns.length).fill(undefined);
    for (const c of this.columns) {
      c.segs.forEach((seg, d) => {
        if (seg.index !== undefined) (this.counted[d + 1] ??= new Set()).add(seg.key);
      });
    }
  }

  /** The columns of the element the last successful `read` returned. */
  takeFields(): Record<string, string> {
    const f = this.fields;
    this.fields = {};
    return f;
  }

  private isName(n: string): boolean {
    if (this.names.has(n)) return true;
    if (!NAME.test(n) || RESERVED.has(n)) return false;
    if (this.names.size < MAX_NAMES) this.names.add(n);
    return true;
  }

  private frame(depth: number): Frame {
    let f = this.frames[depth];
    if (!f) {
      f = { name: '', node: this.root, text: '', hasKids: false, hasAttrs: false, countNames: [], counts: [], nCounts: 0, matches: null, kidHint: -1, depth };
      this.frames[depth] = f;
    }
    return f;
  }

  /** Adds a value under a key: a repeated key joins its non-empty values with "; ". */
  private put(key: Key, v: string): void {
    if (key.serial === this.serial) {
      const prev = this.values[key.slot]!;
      if (v) this.values[key.slot] = prev ? prev + REPEAT_SEPARATOR + v : v;
      return;
    }
    key.serial = this.serial;
    key.slot = this.count;
    this.keys[this.count] = key;
    this.values[this.count] = v;
    this.count++;
    const sh = this.shape;
    if (sh) {
      const i = sh.nextKeys.indexOf(key);
      if (i >= 0) this.shape = sh.next[i]!;
      else if (this.shapeCount < MAX_SHAPES) {
        const s = new Shape();
        sh.nextKeys.push(key);
        sh.next.push(s);
        this.shapeCount++;
        this.shape = s;
      } else this.shape = null;
    }
  }

  /** Columns of `frame`'s child `name` (its `index`-th of that name). */
  private childMatches(parent: Frame, name: string, index: number): number[] | null {
    // The answer depends only on the parent's matches (themselves memoised, so one array per
    // answer), the name and the occurrence: worked out once, not an array per element.
    const byParent = this.matchMemo.get(parent.matches!) ?? this.matchMemo.set(parent.matches!, new Map()).get(parent.matches!)!;
    let byIndex = byParent.get(name);
    if (!byIndex) {
      if (byParent.size >= MAX_KIDS) return this.matchChildren(parent, name, index);
      byParent.set(name, (byIndex = []));
    }
    if (index >= MAX_KIDS) return this.matchChildren(parent, name, index);
    let found = byIndex[index];
    if (found === undefined) byIndex[index] = found = this.matchChildren(parent, name, index);
    return found;
  }

  private matchChildren(parent: Frame, name: string, index: number): number[] | null {
    let out: number[] | null = null;
    for (const c of parent.matches!) {
      const seg = this.columns[c]!.segs[parent.depth];
      if (!seg || seg.key !== name || (seg.index !== undefined && seg.index !== index)) continue;
      (out ??= []).push(c);
    }
    return out;
  }

  private column(c: number, v: string): void {
    const prev = this.colValues[c];
    if (prev === undefined) this.colValues[c] = v;
    else if (v) this.colValues[c] = prev ? prev + REPEAT_SEPARATOR + v : v;
  }

  /** An element closes: its text goes to its path and to the columns ending at it. */
  private close(f: Frame): void {
    const text = f.text.trim();
    // As in fast-xml-parser: an element has text when any was written (CDATA spaces included),
    // and an element with neither text, children nor attributes is the empty string.
    if (this.all && (f.text !== '' || (!f.hasKids && !f.hasAttrs))) this.put(f.node.key, text);
    if (f.matches) for (const c of f.matches) if (this.columns[c]!.segs.length === f.depth) this.column(c, text);
  }

  /**
   * Builds the record's columns object. The columns go after the leaves, in their configured
   * order, as the fast-xml-parser path adds them: with every leaf, only the non-empty ones;
   * else all of them, '' when the path selects nothing.
   */
  private done(end: number): number {
    const cols = this.columns;
    for (let c = 0; c < cols.length; c++) {
      const v = this.colValues[c];
      if (!this.all) this.put(cols[c]!.key, v ?? '');
      else if (v) this.put(cols[c]!.key, v);
    }
    const sh = this.shape;
    if (sh) {
      sh.build ??= compileShape(this.keys.slice(0, this.count).map((k) => k.name));
      this.fields = sh.build(this.values);
    } else {
      const out: Record<string, string> = {};
      for (let i = 0; i < this.count; i++) out[this.keys[i]!.name] = this.values[i]!;
      this.fields = out;
    }
    return end;
  }

  /** Text as fast-xml-parser keeps it: line ends normalised, entities decoded; undefined to give up. */
  private clean(s: string, a: number, b: number, raw: string): string | undefined {
    if (this.nextCr >= 0 && this.nextCr < a) this.nextCr = s.indexOf('\r', a);
    if (this.nextAmp >= 0 && this.nextAmp < a) this.nextAmp = s.indexOf('&', a);
    let t = raw;
    if (this.nextCr >= 0 && this.nextCr < b) t = t.replace(/\r\n?/g, '\n');
    return this.nextAmp >= 0 && this.nextAmp < b ? decodeEntities(t) : t;
  }

  /**
   * Reads the element whose start tag begins at `s[start]`. Returns the index after its end
   * tag (its columns are then in {@link takeFields}), NEED_MORE when `s` ends first, or GIVE_UP.
   */
  read(s: string, start: number): number {
    const n = s.length;
    const stack = this.stack;
    stack.length = 0;
    this.serial++;
    this.count = 0;
    this.shape = this.shapes;
    if (this.columns.length) this.colValues.fill(undefined);
    // Searched once per buffer, not per record: with no "&" left, each search would run to
    // the buffer's end.
    if (s !== this.text) {
      this.text = s;
      this.nextAmp = s.indexOf('&', start);
      this.nextCr = s.indexOf('\r', start);
      this.nextCdataEnd = s.indexOf(']]>', start);
    }
    let pos = start;
    let knownLt = -1;
    for (;;) {
      const lt = knownLt >= pos ? knownLt : s.indexOf('<', pos);
      if (lt < 0) return NEED_MORE;
      const top = stack[stack.length - 1];
      if (lt > pos) {
        if (!top) return GIVE_UP;
        let a = pos;
        let b = lt;
        while (a < b && s.charCodeAt(a) <= 32) a++;
        while (b > a && s.charCodeAt(b - 1) <= 32) b--;
        if (a < b) {
          let seg = s.slice(a, b);
          // Other white space (NBSP…) is trimmed as fast-xml-parser trims it.
          if (s.charCodeAt(a) > 127 || s.charCodeAt(b - 1) > 127) seg = seg.trim();
          if (this.nextCdataEnd >= 0 && this.nextCdataEnd < a) this.nextCdataEnd = s.indexOf(']]>', a);
          if (this.nextCdataEnd >= 0 && this.nextCdataEnd < b) return GIVE_UP;
          const clean = this.clean(s, a, b, seg);
          if (clean === undefined) return GIVE_UP;
          top.text += clean;
        }
      }
      if (lt + 1 >= n) return NEED_MORE;
      const c1 = s.charCodeAt(lt + 1);
      if (c1 === 33 /* ! */) {
        if (!top) return GIVE_UP;
        if (n - lt < 9) return NEED_MORE;
        if (s.startsWith('<!--', lt)) {
          const end = s.indexOf('-->', lt + 4);
          if (end < 0) return NEED_MORE;
          pos = end + 3;
        } else if (s.startsWith('<![CDATA[', lt)) {
          const end = s.indexOf(']]>', lt + 9);
          if (end < 0) return NEED_MORE;
          const raw = s.slice(lt + 9, end);
          top.text += raw.indexOf('\r') >= 0 ? raw.replace(/\r\n?/g, '\n') : raw;
          pos = end + 3;
        } else return GIVE_UP;
        continue;
      }
      if (c1 === 63 /* ? */) {
        if (!top) return GIVE_UP;
        const end = s.indexOf('?>', lt + 2);
        if (end < 0) return NEED_MORE;
        pos = end + 2;
        continue;
      }
      if (c1 === SLASH) {
        if (!top) return GIVE_UP;
        // Nearly always `</name>` right away; else the name, white space and `>`.
        let gt = lt + 2 + top.name.length;
        if (s.charCodeAt(gt) !== GT || !s.startsWith(top.name, lt + 2)) {
          gt = s.indexOf('>', lt + 2);
          if (gt < 0) return NEED_MORE;
          if (!s.startsWith(top.name, lt + 2)) return GIVE_UP;
          for (let i = lt + 2 + top.name.length; i < gt; i++) if (!isSpace(s.charCodeAt(i))) return GIVE_UP;
        }
        stack.pop();
        this.close(top);
        pos = gt + 1;
        if (!stack.length) return this.done(pos);
        continue;
      }
      // A start tag: its name (a child seen before is recognised in place), then its attributes.
      let i = lt + 1;
      let name: string | undefined;
      let node: PathNode | undefined;
      if (top) {
        const names = top.node.kidNames;
        // Children come in the order the last record had them: the one after the previous
        // child first, then the previous one again (a repeated element), then all of them.
        const hint = top.kidHint;
        for (let t = 0; t < names.length + 2; t++) {
          const k = t === 0 ? hint + 1 : t === 1 ? hint : t - 2;
          if (k < 0 || k >= names.length) continue;
          const kn = names[k]!;
          const after = lt + 1 + kn.length;
          if (kn.charCodeAt(0) === c1 && after < n && s.startsWith(kn, lt + 1)) {
            const c = s.charCodeAt(after);
            if (isSpace(c) || c === GT || c === SLASH) {
              name = kn;
              node = top.node.kids[k]!;
              i = after;
              top.kidHint = k;
              break;
            }
          }
        }
      }
      if (name === undefined) {
        while (i < n) {
          const c = s.charCodeAt(i);
          if (isSpace(c) || c === GT || c === SLASH) break;
          i++;
        }
        if (i >= n) return NEED_MORE;
        name = s.slice(lt + 1, i);
        if (!this.isName(name)) return GIVE_UP;
        node = top ? top.node.addChild(name) : this.root;
      }
      const depth = top ? top.depth + 1 : 0;
      const frame = this.frame(depth);
      frame.name = name;
      frame.node = node!;
      frame.text = '';
      frame.hasKids = false;
      frame.hasAttrs = false;
      frame.nCounts = 0;
      frame.kidHint = -1;
      if (top) {
        top.hasKids = true;
        let index = 0;
        if (top.matches && this.counted[depth]?.has(name)) {
          let k = 0;
          while (k < top.nCounts && top.countNames[k] !== name) k++;
          if (k === top.nCounts) {
            top.countNames[k] = name;
            top.counts[k] = 0;
            top.nCounts++;
          }
          index = ++top.counts[k]!;
        }
        frame.matches = top.matches ? this.childMatches(top, name, index) : null;
      } else {
        frame.matches = this.rootMatches;
      }
      // The tag ends before the next "<": a quote running past it is an attribute value with "<".
      const nextLt = s.indexOf('<', i);
      let selfClosing = false;
      let nAttrs = 0;
      const attrs = this.attrs;
      for (;;) {
        const before = i;
        while (i < n && isSpace(s.charCodeAt(i))) i++;
        if (i >= n) return NEED_MORE;
        const c = s.charCodeAt(i);
        if (c === GT) {
          i++;
          break;
        }
        if (c === SLASH) {
          if (i + 1 >= n) return NEED_MORE;
          if (s.charCodeAt(i + 1) !== GT) return GIVE_UP;
          selfClosing = true;
          i += 2;
          break;
        }
        if (i === before) return GIVE_UP; // attributes are separated by white space
        // An attribute seen before on this element path is recognised in place, like a child.
        let attr: string | undefined;
        let attrKey: Key | undefined;
        const known = frame.node.attrNames;
        for (let k = 0; k < known.length; k++) {
          const an = known[k]!;
          const after = i + an.length;
          if (an.charCodeAt(0) === c && after < n && s.startsWith(an, i)) {
            const d = s.charCodeAt(after);
            if (d === EQ || isSpace(d)) {
              attr = an;
              attrKey = frame.node.attrKeys[k]!;
              i = after;
              break;
            }
          }
        }
        if (attr === undefined) {
          const a = i;
          while (i < n) {
            const d = s.charCodeAt(i);
            if (d === EQ || isSpace(d) || d === GT || d === SLASH) break;
            i++;
          }
          attr = s.slice(a, i);
          if (!this.isName(attr)) return GIVE_UP;
        }
        while (i < n && isSpace(s.charCodeAt(i))) i++;
        if (i >= n) return NEED_MORE;
        if (s.charCodeAt(i) !== EQ) return GIVE_UP;
        i++;
        while (i < n && isSpace(s.charCodeAt(i))) i++;
        if (i >= n) return NEED_MORE;
        const q = s.charCodeAt(i);
        if (q !== DQ && q !== SQ) return GIVE_UP;
        const close = s.indexOf(q === DQ ? '"' : "'", i + 1);
        if (close < 0) return nextLt < 0 ? NEED_MORE : GIVE_UP;
        if (nextLt >= 0 && close > nextLt) return GIVE_UP;
        let value = s.slice(i + 1, close);
        const cleaned = this.clean(s, i + 1, close, value);
        if (cleaned === undefined) return GIVE_UP;
        value = cleaned.trim();
        i = close + 1;
        for (let k = 0; k < nAttrs; k++) if (attrs[k] === attr) return GIVE_UP;
        attrs[nAttrs++] = attr;
        frame.hasAttrs = true;
        if (this.all) this.put(attrKey ?? frame.node.attr(attr), value);
        if (frame.matches) {
          for (const m of frame.matches) {
            const col = this.columns[m]!;
            if (col.segs.length === depth + 1 && col.attr === attr) this.column(m, value);
          }
        }
      }
      pos = i;
      knownLt = nextLt;
      if (selfClosing) {
        this.close(frame);
        if (!top) return this.done(pos);
      } else {
        stack.push(frame);
      }
    }
  }
}
