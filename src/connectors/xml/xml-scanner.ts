import { NEED_MORE, type FastRecordReader } from './xml-fast-reader.js';

/** One record element cut out of the document, ready for an XML parser. */
export interface ScannedElement {
  /** The element's markup, from its start tag's `<` to its end tag's `>` ('' when too large to keep). */
  text: string;
  /** 1-based line where the element's start tag is. */
  line: number;
  /** Why the element is not well-formed, when the scan already shows it (unclosed or stray tags). */
  broken?: string;
  /** The element's columns, when the fast reader could read it (else the caller parses `text`). */
  fields?: Record<string, string>;
}

interface OpenRecord {
  start: number;
  line: number;
  /** Stack depth of the record element's parent. */
  depth: number;
  broken?: string;
  /** Too large: its text is no longer kept, only scanned to find where it ends. */
  dropped: boolean;
}

type Token =
  | { kind: 'other'; end: number }
  | { kind: 'text'; end: number; broken: string }
  | { kind: 'start'; end: number; name: string; selfClosing: boolean; broken?: string }
  | { kind: 'end'; end: number; name: string };

const LT = 60; // <
const GT = 62; // >
const SLASH = 47;
const DQ = 34;
const SQ = 39;
const NONE = -1;
const UNKNOWN = -2;
/** A record element still incomplete past this many characters is left to the token scan. */
const FAST_MAX_CHARS = 4 << 20;
/** Longest token prefix needed to tell the token kinds apart (`<![CDATA[`). */
const LONGEST_PREFIX = 9;

function isNameEnd(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13 || c === GT || c === SLASH;
}

/**
 * Finds the elements at a path (`export/customers/customer`) in XML text fed in chunks, without
 * building the document: it tokenizes just enough markup (tags, comments, CDATA, processing
 * instructions, DOCTYPE) to keep the stack of open elements, so an element of the record's name
 * nested elsewhere, or inside a comment or CDATA section, is not a record. Memory holds the
 * current record's text only. Structural errors (an end tag that does not match, an
 * attribute value left open, a record not closed) mark that record broken and the scan
 * resynchronises on the next tag of an enclosing element, so one bad record does not hide the
 * rest of the file.
 */
export class XmlRecordScanner {
  private buf = '';
  private pos = 0;
  /** Line of `buf[pos]`. */
  private line = 1;
  private ended = false;
  /** Index of the next line break at or after `pos`; NONE: none in `buf`; UNKNOWN: not searched. */
  private nl = UNKNOWN;
  private readonly stack: string[] = [];
  private rec: OpenRecord | null = null;
  /** Where the last record element ended in `buf`; -1 before the first, or once that text is let go. */
  private lastEnd = -1;
  private readonly parent: readonly string[];
  private readonly name: string;

  /**
   * @param path element names from the root to the record element
   * @param maxRecordChars a record element longer than this is reported broken rather than
   *   buffered (default 32 Mi characters)
   * @param fast reads record elements into columns in the same pass; an element it gives up on
   *   is cut out by the token scan and returned as text
   */
  constructor(
    path: readonly string[],
    private readonly maxRecordChars = 32 << 20,
    private readonly fast: FastRecordReader | null = null,
  ) {
    if (!path.length) throw new RangeError('empty record path');
    this.parent = path.slice(0, -1);
    this.name = path[path.length - 1]!;
  }

  /** Where the text still needed starts: the open record's start, or the read position. */
  private keepFrom(): number {
    const rec = this.rec;
    return rec && !rec.dropped ? rec.start : this.pos;
  }

  /** The text still needed: what {@link push} keeps, and what {@link replace}'s text must start with. */
  retained(): string {
    return this.buf.slice(this.keepFrom());
  }

  /**
   * Takes `text`, which starts with the {@link retained} text, as the new buffer: for a caller
   * that decodes the retained text's bytes again with the next chunk's, one decode and no join
   * per chunk.
   */
  replace(text: string): void {
    const keep = this.keepFrom();
    this.pos -= keep;
    this.lastEnd = this.lastEnd >= keep ? this.lastEnd - keep : -1;
    if (this.rec) this.rec.start -= keep;
    if (this.nl >= 0) this.nl -= keep;
    this.buf = text;
    if (this.nl === NONE) this.nl = UNKNOWN;
  }

  /** Appends decoded text. */
  push(text: string): void {
    const rec = this.rec;
    const keep = this.keepFrom();
    if (keep > 0) {
      // join() builds one flat string; `+` would build a rope, and every indexOf and
      // charCodeAt on a rope is several times slower.
      this.buf = [this.buf.slice(keep), text].join('');
      this.pos -= keep;
      this.lastEnd = this.lastEnd >= keep ? this.lastEnd - keep : -1;
      if (rec) rec.start -= keep;
      if (this.nl >= 0) this.nl -= keep;
    } else {
      this.buf = this.buf ? [this.buf, text].join('') : text;
    }
    if (this.nl === NONE) this.nl = UNKNOWN;
  }

  /**
   * After the last record: the text that follows it (closing tags, trailing elements), or
   * undefined when no record was found or that text is no longer all in the buffer.
   */
  trailer(): string | undefined {
    return this.lastEnd >= 0 ? this.buf.slice(this.lastEnd) : undefined;
  }

  /** No more text: `next()` then reports what is left, a record not closed included. */
  end(): void {
    this.ended = true;
  }

  /** The next complete record element, or null when more text is needed (or none is left after `end()`). */
  next(): ScannedElement | null {
    for (;;) {
      const buf = this.buf;
      const lt = buf.indexOf('<', this.pos);
      if (lt < 0) {
        this.advance(buf.length);
        return this.ended ? this.finish() : null;
      }
      this.advance(lt);
      if (!this.ended && buf.length - lt < LONGEST_PREFIX) return null;
      const line = this.line;
      if (this.fast && !this.rec && this.isRecordTag(buf, lt) && this.atParent()) {
        const end = this.fast.read(buf, lt);
        if (end >= 0) {
          this.advance(end);
          this.lastEnd = end;
          return { text: buf.slice(lt, end), line, fields: this.fast.takeFields() };
        }
        // Incomplete: wait for more text and read it again from its start, unless the file
        // ends here or the element is too large to re-read; then the token scan takes it.
        if (end === NEED_MORE && !this.ended && buf.length - lt < FAST_MAX_CHARS) return null;
      }
      const tok = this.token(lt);
      if (!tok) return this.ended ? this.finish() : null;
      this.advance(tok.end);
      const out = this.apply(tok, lt, line);
      const rec = this.rec;
      if (rec && !rec.dropped && this.pos - rec.start > this.maxRecordChars) {
        rec.dropped = true;
        rec.broken ??= `the element is larger than ${Math.round(this.maxRecordChars / (1 << 20))} Mi characters`;
      }
      if (out) return out;
    }
  }

  /** Moves `pos` forward, counting line breaks. */
  private advance(to: number): void {
    const buf = this.buf;
    // The next line break is remembered: searching afresh from `pos` on every token would
    // rescan a long line (a document without line breaks) for each tag on it.
    if (this.nl === UNKNOWN || (this.nl >= 0 && this.nl < this.pos)) this.nl = buf.indexOf('\n', this.pos);
    while (this.nl >= 0 && this.nl < to) {
      this.line++;
      this.nl = buf.indexOf('\n', this.nl + 1);
    }
    this.pos = to;
  }

  /** The token starting at `lt`, or null when it is not complete yet. */
  private token(lt: number): Token | null {
    const buf = this.buf;
    const c1 = buf.charCodeAt(lt + 1);
    if (c1 === 33 /* ! */) {
      if (buf.startsWith('<!--', lt)) return this.until(lt + 4, '-->');
      if (buf.startsWith('<![CDATA[', lt)) return this.until(lt + 9, ']]>');
      return this.declaration(lt);
    }
    if (c1 === 63 /* ? */) return this.until(lt + 2, '?>');
    if (c1 === SLASH) {
      const gt = buf.indexOf('>', lt + 2);
      if (gt < 0) return null;
      return { kind: 'end', end: gt + 1, name: buf.slice(lt + 2, gt).trim() };
    }
    let i = lt + 1;
    while (i < buf.length && !isNameEnd(buf.charCodeAt(i)) && buf.charCodeAt(i) !== LT) i++;
    const name = buf.slice(lt + 1, i);
    if (!name || Number.isNaN(c1)) {
      if (Number.isNaN(c1)) return null;
      return { kind: 'text', end: lt + 1, broken: `a "<" that starts no tag (write &lt;)` };
    }
    let quote = 0;
    for (; i < buf.length; i++) {
      const c = buf.charCodeAt(i);
      if (quote) {
        if (c === quote) quote = 0;
        else if (c === LT) return { kind: 'start', end: i, name, selfClosing: false, broken: `an attribute value of <${name}> is not closed` };
      } else if (c === DQ || c === SQ) quote = c;
      else if (c === GT) return { kind: 'start', end: i + 1, name, selfClosing: buf.charCodeAt(i - 1) === SLASH };
      else if (c === LT) return { kind: 'start', end: i, name, selfClosing: false, broken: `the start tag <${name}> is not closed` };
    }
    return null;
  }

  private until(from: number, close: string): Token | null {
    const at = this.buf.indexOf(close, from);
    return at < 0 ? null : { kind: 'other', end: at + close.length };
  }

  /** `<!DOCTYPE …>` and other declarations, with an internal subset in brackets. */
  private declaration(lt: number): Token | null {
    const buf = this.buf;
    let depth = 0;
    let quote = 0;
    for (let i = lt + 2; i < buf.length; i++) {
      const c = buf.charCodeAt(i);
      if (quote) {
        if (c === quote) quote = 0;
      } else if (c === DQ || c === SQ) quote = c;
      else if (c === 91 /* [ */) depth++;
      else if (c === 93 /* ] */) depth--;
      else if (c === GT && depth <= 0) return { kind: 'other', end: i + 1 };
    }
    return null;
  }

  private apply(tok: Token, lt: number, line: number): ScannedElement | null {
    const rec = this.rec;
    switch (tok.kind) {
      case 'other':
        return null;
      case 'text':
        if (rec) rec.broken ??= `${tok.broken} on line ${line}`;
        return null;
      case 'start': {
        if (!rec && tok.name === this.name && this.atParent()) {
          const opened: OpenRecord = { start: lt, line, depth: this.stack.length, dropped: false };
          if (tok.broken) opened.broken = `${tok.broken} (line ${line})`;
          if (tok.selfClosing) return this.emit(opened, tok.end);
          this.rec = opened;
        } else if (rec && tok.broken) rec.broken ??= `${tok.broken} (line ${line})`;
        if (!tok.selfClosing) this.stack.push(tok.name);
        return null;
      }
      case 'end': {
        const stack = this.stack;
        const at = stack.lastIndexOf(tok.name);
        if (at < 0) {
          if (rec) rec.broken ??= `end tag </${tok.name}> on line ${line} closes no open element`;
          return null;
        }
        if (rec && at < stack.length - 1) {
          const unclosed = stack[stack.length - 1]!;
          rec.broken ??= `<${unclosed}> is not closed (found </${tok.name}> on line ${line})`;
        }
        stack.length = at;
        if (rec && stack.length <= rec.depth) {
          if (at === rec.depth) return this.emit(rec, tok.end);
          // An enclosing element closed first: the record ends where that end tag begins.
          rec.broken ??= `<${this.name}> is not closed (found </${tok.name}> on line ${line})`;
          return this.emit(rec, lt);
        }
        return null;
      }
      default: {
        const never: never = tok;
        return never;
      }
    }
  }

  /** Whether a start tag of the record element's name begins at `lt`. */
  private isRecordTag(buf: string, lt: number): boolean {
    const end = lt + 1 + this.name.length;
    if (end >= buf.length || !buf.startsWith(this.name, lt + 1)) return false;
    const c = buf.charCodeAt(end);
    return isNameEnd(c);
  }

  private atParent(): boolean {
    const { stack, parent } = this;
    if (stack.length !== parent.length) return false;
    for (let i = 0; i < parent.length; i++) if (stack[i] !== parent[i]) return false;
    return true;
  }

  private emit(rec: OpenRecord, end: number): ScannedElement {
    this.rec = null;
    this.lastEnd = end;
    const el: ScannedElement = { text: rec.dropped ? '' : this.buf.slice(rec.start, end), line: rec.line };
    if (rec.broken) el.broken = rec.broken;
    return el;
  }

  /** End of input: a record still open is reported broken; nothing else is left. */
  private finish(): ScannedElement | null {
    const rec = this.rec;
    if (!rec) return null;
    rec.broken ??= `<${this.name}> starting on line ${rec.line} is not closed before the end of the file`;
    this.stack.length = rec.depth;
    return this.emit(rec, this.buf.length);
  }
}
