import { describe, expect, it } from 'vitest';
import { formatExcelSerial } from '../../../src/connectors/xlsx/cell-text.js';
import { scanSharedStrings, scanSheetRows, type ScannedRow, type SheetContext } from '../../../src/connectors/xlsx/sheet-reader.js';

/** The text cut into chunks at the given offsets (byte positions), as the inflater would hand it over. */
async function* cut(xml: string, at: readonly number[]): AsyncGenerator<Buffer> {
  const bytes = Buffer.from(xml, 'utf8');
  let from = 0;
  for (const to of [...at, bytes.length]) {
    yield bytes.subarray(from, to);
    from = to;
  }
}

const everyByte = (xml: string, size: number): number[] => {
  const out: number[] = [];
  for (let i = size; i < Buffer.byteLength(xml); i += size) out.push(i);
  return out;
};

async function strings(xml: string, at: readonly number[] = []): Promise<string[]> {
  const table = await scanSharedStrings(cut(xml, at));
  return Array.from({ length: table.size }, (_v, i) => table.get(i));
}

async function rows(xml: string, ctx: SheetContext, at: readonly number[] = []): Promise<Pick<ScannedRow, 'number' | 'texts' | 'kinds'>[]> {
  const out: Pick<ScannedRow, 'number' | 'texts' | 'kinds'>[] = [];
  for await (const batch of scanSheetRows(cut(xml, at), ctx)) for (const r of batch) out.push({ number: r.number, texts: r.texts, kinds: r.kinds });
  return out;
}

const SST =
  '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' +
  '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="9" uniqueCount="9">' +
  '<si><t>customer_id</t></si>' +
  '<si><t xml:space="preserve">  padded  </t></si>' +
  '<si><t>Müller</t></si>' +
  '<si><t>王芳</t></si>' +
  '<si><t>Smith &amp; Sons_x000D_ Ltd</t></si>' +
  '<si/>' +
  '<si><r><rPr><b/></rPr><t>rich</t></r><r><t xml:space="preserve"> text</t></r></si>' +
  '<si><r><t>山田</t></r><rPh sb="0" eb="2"><t>ヤマダ</t></rPh></si>' +
  '<si><t>snake_case_x</t></si>' +
  '</sst>';

const SHEET =
  '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>' +
  '<row r="1" spans="1:6"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>2</v></c><c r="C1" t="s"><v>3</v></c><c r="D1" t="s"><v>4</v></c></row>' +
  '<row r="2"><c r="A2" s="1"><v>44927</v></c><c r="B2" s="2"><v>45123.604166666664</v></c><c r="C2"><v>0.30000000000000004</v></c><c r="D2"><v>-12.5</v></c><c r="E2" s="3"><v>42</v></c></row>\n' +
  '<row r="4"/>' +
  "<row r='5'><c r='A5' t='inlineStr'><is><t>inline Zoë</t></is></c><c r='B5' t='b'><v>0</v></c><c r='C5' t='e'><v>#DIV/0!</v></c>" +
  "<c r='D5' t='str'><f>A5&amp;\"!\"</f><v>inline Zoë!</v></c><c r='E5'><f>1/0</f></c><c r='F5' s='1'/></row>" +
  '<row><c t="s"><v>8</v></c><c t="s"><v>7</v></c><c t="d"><v>2024-02-29T00:00:00Z</v></c></row>' +
  '<row r="9">\n  <c r="C9" t="s"><v>1</v></c>\n  <c r="AA9"><v>12345678901234567</v></c>\n</row>' +
  '</sheetData><mergeCells count="1"><mergeCell ref="A1:A2"/></mergeCells></worksheet>';

describe('xlsx byte scanners', () => {
  it('read the shared strings, trimmed, with entities, escapes, rich and phonetic runs handled', async () => {
    expect(await strings(SST)).toEqual(['customer_id', 'padded', 'Müller', '王芳', 'Smith & Sons\r Ltd', '', 'rich text', '山田', 'snake_case_x']);
  });

  it('read the same shared strings however the part is cut into chunks', async () => {
    const whole = await strings(SST);
    for (const size of [1, 2, 3, 5, 7, 16, 61]) expect(await strings(SST, everyByte(SST, size)), `chunks of ${size}`).toEqual(whole);
    for (let i = 1; i < Buffer.byteLength(SST); i++) expect(await strings(SST, [i]), `cut at ${i}`).toEqual(whole);
  });

  it('read every cell type of a sheet as Excel shows it', async () => {
    const ctx: SheetContext = { strings: await scanSharedStrings(cut(SST, [])), formats: [undefined, 'yyyy-mm-dd', 'yyyy-mm-dd hh:mm', '00000'], date1904: false };
    expect(await rows(SHEET, ctx)).toEqual([
      { number: 1, texts: ['customer_id', 'Müller', '王芳', 'Smith & Sons\r Ltd'], kinds: ['text', 'text', 'text', 'text'] },
      { number: 2, texts: ['2023-01-01', '2023-07-16T14:30:00', '0.3', '-12.5', '00042'], kinds: ['date', 'date', 'number', 'number', 'number'] },
      { number: 5, texts: ['inline Zoë', 'FALSE', '#DIV/0!', 'inline Zoë!', ''], kinds: ['text', 'boolean', 'error', 'text'] },
      { number: 6, texts: ['snake_case_x', '山田', '2024-02-29', '', ''], kinds: ['text', 'text', 'date'] },
      { number: 9, texts: ['', '', 'padded', ...Array<string>(23).fill(''), '12345678901234600'], kinds: ['empty', 'empty', 'text', ...Array<string>(23).fill('empty'), 'number'] },
    ]);
  });

  it('read the same rows however the sheet is cut into chunks', async () => {
    const ctx: SheetContext = { strings: await scanSharedStrings(cut(SST, [])), formats: [undefined, 'yyyy-mm-dd', 'yyyy-mm-dd hh:mm', '00000'], date1904: false };
    const whole = await rows(SHEET, ctx);
    for (const size of [1, 2, 3, 5, 7, 16, 61]) expect(await rows(SHEET, ctx, everyByte(SHEET, size)), `chunks of ${size}`).toEqual(whole);
    for (let i = 1; i < Buffer.byteLength(SHEET); i++) expect(await rows(SHEET, ctx, [i]), `cut at ${i}`).toEqual(whole);
  });

  it('digest a row by what it shows: the same for the same texts kept differently, another for an edit', async () => {
    const sst = (...words: string[]): string => `<sst>${words.map((w) => `<si><t>${w}</t></si>`).join('')}</sst>`;
    const sheet = (cells: string): string => `<worksheet><sheetData><row r="2">${cells}</row></sheetData></worksheet>`;
    const digest = async (strings: string, cells: string, formats: (string | undefined)[] = []): Promise<number> => {
      let hash = 0;
      for await (const batch of scanSheetRows(cut(sheet(cells), []), { strings: await scanSharedStrings(cut(strings, [])), formats, date1904: false })) hash = batch[0]!.hash;
      return hash;
    };
    const base = await digest(sst('Ann', 'Lee'), '<c r="A2" t="s"><v>0</v></c><c r="B2" t="s"><v>1</v></c><c r="C2"><v>42</v></c>');
    // The same texts with the shared strings in another order, or inline: same digest.
    expect(await digest(sst('Lee', 'Ann'), '<c r="A2" t="s"><v>1</v></c><c r="B2" t="s"><v>0</v></c><c r="C2"><v>42</v></c>')).toBe(base);
    expect(await digest(sst(), '<c r="A2" t="inlineStr"><is><t>Ann</t></is></c><c r="B2" t="inlineStr"><is><t>Lee</t></is></c><c r="C2"><v>42</v></c>')).toBe(base);
    // A shared string edited in place (same index), a number changed, texts swapped, a cell moved, a date format: each another digest.
    const others = [
      await digest(sst('Ann', 'Lea'), '<c r="A2" t="s"><v>0</v></c><c r="B2" t="s"><v>1</v></c><c r="C2"><v>42</v></c>'),
      await digest(sst('Ann', 'Lee'), '<c r="A2" t="s"><v>0</v></c><c r="B2" t="s"><v>1</v></c><c r="C2"><v>43</v></c>'),
      await digest(sst('Ann', 'Lee'), '<c r="A2" t="s"><v>1</v></c><c r="B2" t="s"><v>0</v></c><c r="C2"><v>42</v></c>'),
      await digest(sst('Ann', 'Lee'), '<c r="A2" t="s"><v>0</v></c><c r="B2" t="s"><v>1</v></c><c r="D2"><v>42</v></c>'),
      await digest(sst('Ann', 'Lee'), '<c r="A2" t="s"><v>0</v></c><c r="B2" t="s"><v>1</v></c><c r="C2" s="1"><v>42</v></c>', [undefined, 'yyyy-mm-dd']),
    ];
    expect(new Set([base, ...others]).size).toBe(6);
  });

  it('write date and time cells as formatExcelSerial does, in both date systems', async () => {
    let seed = 7;
    const random = (): number => ((seed = (Math.imul(seed, 48271) >>> 0) % 0x7fffffff) / 0x7fffffff);
    const serials = [0, 0.5, 1, 59, 60, 61, 0.99999999, 1e-12, 45123.604166666664, 2958465.999994, 9_999_999.5, 1e7 + 5, -1, -0.25, -700.75, 1e300];
    for (let i = 0; i < 3000; i++) serials.push(Math.floor(random() * 80_000) + (i % 3 ? random() : 0), Math.floor(random() * 4e6) - 1e5 + random());
    const cells = serials.map((v, i) => `<c r="A${i + 1}" s="1"><v>${v}</v></c><c r="B${i + 1}" s="2"><v>${v}</v></c>`);
    const xml = `<worksheet><sheetData>${cells.map((c, i) => `<row r="${i + 1}">${c}</row>`).join('')}</sheetData></worksheet>`;
    for (const date1904 of [false, true]) {
      const ctx: SheetContext = { strings: await scanSharedStrings(cut('<sst/>', [])), formats: [undefined, 'yyyy-mm-dd', 'hh:mm:ss'], date1904 };
      const got = (await rows(xml, ctx)).map((r) => r.texts);
      expect(got).toEqual(serials.map((v) => [formatExcelSerial(v, date1904), formatExcelSerial(v, date1904, true)]));
    }
  });
});
