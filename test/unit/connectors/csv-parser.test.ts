import { describe, expect, it } from 'vitest';
import { CsvParser, type CsvBrokenRow, type CsvRow } from '../../../src/connectors/csv/csv-parser.js';

function parse(text: string, delimiter = ',', chunk = 0, headerFields = false): { rows: CsvRow[]; broken: CsvBrokenRow[] } {
  const rows: CsvRow[] = [];
  const broken: CsvBrokenRow[] = [];
  const p = new CsvParser({ delimiter });
  // As the CSV source does: the header's field count, once read.
  const onRow = (r: CsvRow) => {
    if (headerFields && !rows.length) p.expectFields(r.fields.length);
    rows.push(r);
  };
  const onBroken = (b: CsvBrokenRow) => broken.push(b);
  if (chunk > 0) for (let i = 0; i < text.length; i += chunk) p.push(text.slice(i, i + chunk), onRow, onBroken);
  else p.push(text, onRow, onBroken);
  p.end(onRow, onBroken);
  return { rows, broken };
}

describe('CsvParser', () => {
  it('splits rows and fields and reports the physical line of each row', () => {
    const { rows } = parse('id,name\n1,"Smith, John"\n2,"multi\nline"\n3,last\n');
    expect(rows.map((r) => [r.line, r.fields])).toEqual([
      [1, ['id', 'name']],
      [2, ['1', 'Smith, John']],
      [3, ['2', 'multi\nline']],
      [5, ['3', 'last']],
    ]);
  });

  it('gives the same rows whatever the chunking, including a quote split across chunks', () => {
    const text = 'a;b;c\r\n"x ""quoted"" y";2;\r\n\r\n"z";"";end';
    const whole = parse(text, ';');
    for (const size of [1, 2, 3, 5, 7]) expect(parse(text, ';', size)).toEqual(whole);
    expect(whole.rows.map((r) => r.fields)).toEqual([
      ['a', 'b', 'c'],
      ['x "quoted" y', '2', ''],
      ['z', '', 'end'],
    ]);
    expect(whole.rows[2]!.line).toBe(4);
  });

  it('quarantines a row whose quote never closes and reads on from the next line', () => {
    const { rows, broken } = parse('id,name\n1,ok\n2,"broken\n3,fine\n4,also fine\n');
    expect(broken).toEqual([{ line: 3, code: 'UNCLOSED_QUOTE', message: 'a quoted field is never closed', raw: '2,"broken' }]);
    expect(rows.map((r) => r.fields[0])).toEqual(['id', '1', '3', '4']);
    expect(rows.map((r) => r.line)).toEqual([1, 2, 4, 5]);
  });

  it('quarantines only the first line of a row whose stray quote closes at a later broken row', () => {
    // The open quote of line 3 closes at line 6's, which has text after it: lines 3 and 6 are
    // quarantined and every other row is read (rows 3 to 5 were one field of one row).
    const text = 'id,name,city\n1,ok,Bonn\n2,"broken,Köln\n3,fine,Ulm\n4,also fine,Kiel\n5,"broken again,Jena\n6,last,Hof\n';
    for (const chunk of [0, 1, 7]) {
      const { rows, broken } = parse(text, ',', chunk, true);
      expect(rows.map((r) => r.fields[0])).toEqual(['id', '1', '3', '4', '6']);
      expect(rows.map((r) => r.line)).toEqual([1, 2, 4, 5, 7]);
      expect(broken.map((b) => [b.line, b.code, b.raw])).toEqual([
        [3, 'UNCLOSED_QUOTE', '2,"broken,Köln'],
        [6, 'UNCLOSED_QUOTE', '5,"broken again,Jena'],
      ]);
      expect(broken[0]!.message).toBe('a quoted field opened on this line runs over 3 more line(s) to a quote with more text after it: its quote is never closed');
      expect(broken[1]!.message).toBe('a quoted field is never closed');
    }
    // Closed by a quote that ends its field, the row has more fields than the header: line 2 is
    // quarantined, line 3 read as a row of its own (which the source then finds malformed).
    const { rows, broken } = parse('a,b,c\n1,"x\n2",3,4,5\n3,q,r\n', ',', 0, true);
    expect(rows.map((r) => r.fields)).toEqual([['a', 'b', 'c'], ['2"', '3', '4', '5'], ['3', 'q', 'r']]);
    expect(broken.map((b) => [b.line, b.message])).toEqual([
      [2, 'a quoted field opened on this line runs over 1 more line(s) and leaves the row with 5 fields instead of 3: its quote is never closed'],
    ]);
    // A field that runs over lines in a row with the header's count is data, as before.
    expect(parse('id,note\n1,"two\nlines"\n', ',', 0, true).rows[1]!.fields).toEqual(['1', 'two\nlines']);
  });

  it('reads a quoted field after a delimiter and spaces as quoted', () => {
    const { rows } = parse('"name", "addr"\n"morton\'s, chicago", "435 s. la cienega"\n');
    expect(rows[1]!.fields).toEqual(["morton's, chicago", '435 s. la cienega']);
  });

  it('handles tab and pipe delimiters and a last line without a line break', () => {
    expect(parse('a\tb\n1\t2', '\t').rows.map((r) => r.fields)).toEqual([['a', 'b'], ['1', '2']]);
    expect(parse('A|B|\n1|2|', '|').rows.map((r) => r.fields)).toEqual([['A', 'B', ''], ['1', '2', '']]);
  });
});
