import Papa from 'papaparse';
import { describe, expect, it } from 'vitest';
import { CsvWriter } from '../../../src/store/bulk-insert.js';

const target = { table: 't', columns: ['a', 'b'] };

/** What PostgreSQL's COPY … (FORMAT csv) reads back from the writer's bytes. */
function parse(bytes: Buffer): string[][] {
  return Papa.parse<string[]>(bytes.toString('utf8'), { newline: '\n', skipEmptyLines: true }).data;
}

describe('CsvWriter', () => {
  it('quotes every string and doubles inner quotes, whatever the length, script or buffer growth', () => {
    const values = [
      'plain',
      '"',
      'say "hi"',
      '中"文"',
      JSON.stringify({ name: 'Anna "Nan" Li', city: '東京', records: ['erp:1', 'crm:2'] }),
      `${'"中'.repeat(3_000)}"`,
      `${'x'.repeat(63)}"`,
      `${'x'.repeat(65)}"`,
      '😀"😀',
      '',
    ];
    // A writer far smaller than its values: each long value makes the buffer grow mid-write.
    const csv = new CsvWriter(16);
    values.forEach((v, i) => csv.row([v, `${i}`], target, i + 1));
    expect(parse(csv.take())).toEqual(values.map((v, i) => [v, `${i}`]));
  });
});
