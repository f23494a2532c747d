import { describe, expect, it } from 'vitest';
import { CsvParser, type CsvBrokenRow, type CsvRow } from '../../../src/connectors/csv/csv-parser.js';

function parse(text: string, delimiter = ',', chunk = 0): { rows: CsvRow[]; broken: CsvBrokenRow[] } {
  const rows: CsvRow[] = [];
  const broken: CsvBrokenRow[] = [];
  const p = new CsvParser({ delimiter });
  const onRow = (r: CsvRow) => rows.push(r);
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

  it('reads a quoted field after a delimiter and spaces as quoted', () => {
    const { rows } = parse('"name", "addr"\n"morton\'s, chicago", "435 s. la cienega"\n');
    expect(rows[1]!.fields).toEqual(["morton's, chicago", '435 s. la cienega']);
  });

  it('handles tab and pipe delimiters and a last line without a line break', () => {
    expect(parse('a\tb\n1\t2', '\t').rows.map((r) => r.fields)).toEqual([['a', 'b'], ['1', '2']]);
    expect(parse('A|B|\n1|2|', '|').rows.map((r) => r.fields)).toEqual([['A', 'B', ''], ['1', '2', '']]);
  });
});
