import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import iconv from 'iconv-lite';
import Papa from 'papaparse';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CSV_FIXTURES, type CsvFixture } from '../../../fixtures/connectors/make-fixtures.js';
import { parseConfig } from '../../../src/config/load-config.js';
import type { CsvSourceConfig } from '../../../src/config/schema.js';
import { CsvParser, type CsvRow } from '../../../src/connectors/csv/csv-parser.js';
import { CsvSource, sniffDelimiter } from '../../../src/connectors/csv/csv-source.js';
import { KeySet } from '../../../src/connectors/shared/key-set.js';
import { detectEncoding } from '../../../src/connectors/csv/detect-encoding.js';
import type { MalformedRow, RawRecord } from '../../../src/core/record.js';
import { describeConnectorConformance } from '../../support/connector-conformance.js';

const fixtures = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../fixtures/connectors');

/** A CsvSource as the configuration builds it (relative paths against `dir`). */
function csvSource(dir: string, file: string, key: string, extra = ''): CsvSource {
  const yaml = `sources:\n  - {name: src, kind: csv, path: ${JSON.stringify(file)}, key: ${JSON.stringify(key)}, mapping: {}${extra}}\n`;
  const cfg = parseConfig(yaml, { file: 't.yaml', baseDir: dir });
  return new CsvSource(cfg.sources[0] as CsvSourceConfig);
}

async function readAll(src: CsvSource): Promise<{ records: RawRecord[]; malformed: MalformedRow[] }> {
  const records: RawRecord[] = [];
  const malformed: MalformedRow[] = [];
  for await (const b of src.read({ batchSize: 4 })) {
    records.push(...b.records);
    malformed.push(...b.malformed);
  }
  return { records, malformed };
}

function byKey(records: readonly RawRecord[]): Map<string, Record<string, string>> {
  return new Map(records.map((r) => [r.key, r.fields]));
}

/** What each committed fixture must be detected as (GBK is read by its superset, GB18030). */
const EXPECTED: readonly { name: keyof typeof CSV_FIXTURES; detected: string; source: string }[] = [
  { name: 'gbk', detected: 'gb18030', source: 'detector' },
  { name: 'big5', detected: 'big5', source: 'detector' },
  { name: 'sjis', detected: 'shift_jis', source: 'detector' },
  { name: 'cp1252', detected: 'windows-1252', source: 'detector' },
  { name: 'utf16', detected: 'utf-16le', source: 'bom' },
];

for (const { name } of EXPECTED) {
  const f: CsvFixture = CSV_FIXTURES[name];
  describeConnectorConformance(`csv, ${f.encoding}, delimiter ${JSON.stringify(f.delimiter)}, encoding detected`, async () => ({
    connector: async () => csvSource(fixtures, f.file, f.header[0]!),
    expectedKeys: f.rows.map((r) => r[0]!),
    malformedCount: f.broken?.length ?? 0,
    sampleColumn: f.header[1]!,
    expectedColumns: f.header,
  }));
}

describe('csv encoding detection', () => {
  for (const { name, detected, source } of EXPECTED) {
    const f: CsvFixture = CSV_FIXTURES[name];
    it(`detects ${f.file} as ${detected} with no option, and decodes every value`, async () => {
      const src = csvSource(fixtures, f.file, f.header[0]!);
      const { columns, notes } = await src.check();
      expect(columns).toEqual(f.header);
      expect(notes).toEqual([]);
      expect(src.detected).toMatchObject({ encoding: detected, source });
      expect(src.detected!.confidence).toBeGreaterThanOrEqual(60);
      const { records } = await readAll(src);
      // Every value arrives as the UTF-8 text the fixture was generated from.
      expect(records.map((r) => Object.values(r.fields))).toEqual(f.rows);
    });
  }

  it('decodes Chinese, Japanese and accented text to the right strings', async () => {
    const gbk = byKey((await readAll(csvSource(fixtures, 'customers-gbk.csv', 'customer_id'))).records);
    expect(gbk.get('C0001')).toMatchObject({ name: '张伟', gender: '男', city: '北京市', address: '朝阳区建国路88号SOHO现代城A座1201' });
    expect(gbk.get('C0003')!['address']).toBe('天河区天河路385号太古汇二座, 1605室'); // quoted: holds the delimiter

    const big5 = byKey((await readAll(csvSource(fixtures, 'customers-big5.csv', '客戶編號'))).records);
    expect(big5.get('T1001')).toEqual({ 客戶編號: 'T1001', 姓名: '陳志明', 性別: '男', 電話: '0912-345-678', 電子郵件: 'chen.cm@gmail.com', 縣市: '臺北市', 地址: '大安區忠孝東路四段123號5樓' });

    const sjis = byKey((await readAll(csvSource(fixtures, 'customers-sjis.csv', '顧客ID'))).records);
    expect(sjis.get('J001')).toMatchObject({ 氏名: '山田 太郎', フリガナ: 'ヤマダ タロウ', 住所: '東京都新宿区西新宿2-8-1' });
    expect(sjis.get('J006')!['氏名']).toBe('伊藤 さくら');

    const latin = byKey((await readAll(csvSource(fixtures, 'customers-cp1252.csv', 'Kundennummer'))).records);
    expect(latin.get('D-1001')).toMatchObject({ Vorname: 'Jürgen', Nachname: 'Müller', Straße: 'Hauptstraße 12', Ort: 'München', Umsatz: '1.250,00 €' });
    expect(latin.get('D-1002')!['Nachname']).toBe('Weiß');
    expect(latin.get('D-1005')).toMatchObject({ Vorname: 'José', Nachname: 'Núñez' });
    expect(latin.get('D-1006')!['Nachname']).toBe('Ødegård');

    const utf16 = byKey((await readAll(csvSource(fixtures, 'customers-utf16le.txt', 'id'))).records);
    expect(utf16.get('U01')!['full_name']).toBe('Nguyễn Văn An');
    expect(utf16.get('U02')!['full_name']).toBe('김민준');
    expect(utf16.get('U05')!['city']).toBe('Αθήνα');
  });

  it('quarantines the GBK fixture row with a missing field, with its line', async () => {
    const { malformed } = await readAll(csvSource(fixtures, 'customers-gbk.csv', 'customer_id'));
    expect(malformed).toEqual([expect.objectContaining({ code: 'TOO_FEW_FIELDS', lineage: expect.objectContaining({ line: 8 }), raw: 'C0099,马超,男,1984-01-01' })]);
  });

  it('lets the encoding option win over detection', async () => {
    // Right option (an alias, any case): read as told, no detection notes.
    const told = csvSource(fixtures, 'customers-gbk.csv', 'customer_id', ', encoding: CP936');
    const { notes } = await told.check();
    expect(notes).toEqual([]);
    expect(told.detected).toMatchObject({ encoding: 'cp936', source: 'option', confidence: 100 });
    expect(byKey((await readAll(told)).records).get('C0002')!['name']).toBe('王芳');

    // Wrong option: still obeyed, but the bytes it cannot decode are reported and the rows
    // holding them quarantined, never staged as garbled text.
    const wrong = csvSource(fixtures, 'customers-sjis.csv', '顧客ID', ', encoding: windows-1252');
    const w = await wrong.check();
    expect(wrong.detected).toMatchObject({ encoding: 'windows-1252', source: 'option' });
    expect(w.columns).not.toContain('氏名'); // obeyed: read as Windows-1252…
    expect(w.notes).toHaveLength(1); // …but not silently: Windows-1252 leaves 5 byte values undefined
    expect(w.notes[0]).toMatch(/cannot be decoded as windows-1252 \(as configured\); rows holding them are quarantined as ENCODING_ERROR\. It looks like shift_jis/);
    expect(w.notes[0]).toMatch(/`encoding: shift_jis`/);

    // Windows-1252 read as UTF-8: the rows holding bytes UTF-8 cannot decode are quarantined
    // with their line, never staged as garbled text.
    const latinAsUtf8 = csvSource(fixtures, 'customers-cp1252.csv', 'Kundennummer', ', encoding: utf-8');
    expect((await latinAsUtf8.check()).notes[0]).toMatch(/cannot be decoded as utf-8 \(as configured\).*It looks like windows-1252/);
    const { records, malformed } = await readAll(latinAsUtf8);
    expect(records).toEqual([]); // every row has an accented letter or a €
    expect(malformed).toHaveLength(CSV_FIXTURES.cp1252.rows.length);
    expect(malformed.every((m) => m.code === 'ENCODING_ERROR')).toBe(true);
    expect(malformed.map((m) => m.lineage.line)).toEqual(CSV_FIXTURES.cp1252.rows.map((_r, i) => i + 2));

    // GBK read as Big5 decodes without a single invalid byte, into the wrong characters.
    const gbkAsBig5 = csvSource(fixtures, 'customers-gbk.csv', 'customer_id', ', encoding: big5');
    expect((await gbkAsBig5.check()).notes[0]).toMatch(/decoded as big5 \(as configured\) gives implausible text\. It looks like gb18030/);
    expect(byKey((await readAll(gbkAsBig5)).records).get('C0001')!['name']).not.toBe('张伟');

    // Latin-1 decodes every byte: no undecodable character, but the text is implausible.
    const latin1 = csvSource(fixtures, 'customers-gbk.csv', 'customer_id', ', encoding: latin1');
    const l = await latin1.check();
    expect(l.notes).toHaveLength(1);
    expect(l.notes[0]).toMatch(/decoded as latin1 \(as configured\) gives implausible text\. It looks like gb18030 \(confidence \d+\/100\)/);

    const big5AsUtf8 = csvSource(fixtures, 'customers-big5.csv', 'T1001', ', encoding: utf-8, delimiter: "|"');
    const b = await big5AsUtf8.check();
    expect(b.notes).toHaveLength(1);
    expect(b.notes[0]).toMatch(/cannot be decoded as utf-8 \(as configured\)/);
    expect(b.notes[0]).toMatch(/looks like big5/);
    expect(b.notes[0]).toMatch(/encoding: big5/);
  });

  it('reports a low-confidence guess, says what was assumed and how to set the encoding', async () => {
    const src = csvSource(fixtures, 'uncertain-latin1.csv', 'id');
    const { notes } = await src.check();
    expect(src.detected!.source).toBe('detector');
    expect(src.detected!.confidence).toBeLessThan(60);
    expect(notes).toHaveLength(1);
    expect(notes[0]).toMatch(/guessed as windows-1252 with low confidence \(\d+\/100/);
    expect(notes[0]).toMatch(/`encoding: /);
    // The guess itself is right: the one accented name decodes.
    expect(byKey((await readAll(src)).records).get('3')!['name']).toBe('Chloé Martin');
  });

  it('decides files that mix Latin and CJK names, accented letters included', () => {
    const latin = ['Anna Müller', 'Chloé Dubois', 'Ben Smith', 'Jürgen Roth', 'Hugo García', 'Zoë Rossi'];
    const cjk: Record<string, string[]> = {
      gbk: ['王芳', '李娜', '张伟', '北京市朝阳区', '上海市浦东新区', '刘洋'],
      big5: ['陳志明', '林美玲', '黃建國', '臺北市大安區', '新北市板橋區', '張淑芬'],
      shift_jis: ['山田 太郎', 'ヤマダ タロウ', '佐藤 花子', '東京都新宿区', '大阪府大阪市', '鈴木 一郎'],
    };
    const expected: Record<string, string> = { gbk: 'gb18030', big5: 'big5', shift_jis: 'shift_jis' };
    for (const [enc, names] of Object.entries(cjk)) {
      // Big5 and Shift_JIS have no é or ü: their files carry plain Latin names.
      const latinNames = enc === 'gbk' ? latin : latin.map((n) => n.normalize('NFD').replace(/[\u0300-\u036f]/g, ''));
      const rows = Array.from({ length: 60 }, (_v, i) => `${i},${i % 2 ? names[i % names.length] : latinNames[i % latinNames.length]},${i % 3 ? 'Berlin' : names[(i + 3) % names.length]}`);
      const d = detectEncoding(iconv.encode(`id,name,city\n${rows.join('\n')}\n`, enc));
      expect(d.encoding, `${enc}: ${JSON.stringify(d)}`).toBe(expected[enc]);
      expect(d.confidence, `${enc}: ${JSON.stringify(d)}`).toBeGreaterThanOrEqual(60);
    }
  });

  it('flags short samples in any legacy encoding as uncertain, and decides long ones', () => {
    for (const [text, enc] of [
      ['id,name\n1,王芳\n', 'gbk'],
      ['id,name\n1,陳志明\n', 'big5'],
      ['id,name\n1,山田\n', 'shift_jis'],
    ] as const) {
      const d = detectEncoding(iconv.encode(text, enc));
      expect(d.confidence, `${enc}: ${JSON.stringify(d)}`).toBeLessThan(60);
    }
    const names = '张伟 王芳 李娜 刘洋 陈静 杨磊 赵敏 黄婷 周杰 吴昊 徐丽 孙强 马超 朱琳 胡军 郭敏';
    const d = detectEncoding(iconv.encode(`id,name\n${names.split(' ').map((n, i) => `${i},${n}`).join('\n')}\n`, 'gbk'));
    expect(d).toMatchObject({ encoding: 'gb18030', source: 'detector' });
    expect(d.confidence).toBeGreaterThanOrEqual(60);
  });
});

describe('csv encodings generated on the fly', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'crm-etl-csv-enc-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  const rows = ['id;name;city', '1;Zoë Brontë;Århus', '2;李䶮;深圳', '3;Ана Петрова;Санкт-Петербург'];

  it('reads UTF-8 with and without a BOM, and UTF-16BE with a BOM', async () => {
    const text = rows.join('\n') + '\n';
    await writeFile(path.join(dir, 'utf8.csv'), text);
    await writeFile(path.join(dir, 'utf8-bom.csv'), '\uFEFF' + text);
    await writeFile(path.join(dir, 'utf16be.csv'), Buffer.concat([Buffer.from([0xfe, 0xff]), iconv.encode(text, 'utf-16be')]));
    for (const [file, encoding, source] of [
      ['utf8.csv', 'utf-8', 'utf-8'],
      ['utf8-bom.csv', 'utf-8', 'bom'],
      ['utf16be.csv', 'utf-16be', 'bom'],
    ] as const) {
      const src = csvSource(dir, file, 'id');
      const { columns, notes } = await src.check();
      expect(columns).toEqual(['id', 'name', 'city']);
      expect(notes).toEqual([]);
      expect(src.detected).toMatchObject({ encoding, source });
      const got = byKey((await readAll(src)).records);
      expect(got.get('1')).toEqual({ id: '1', name: 'Zoë Brontë', city: 'Århus' });
      expect(got.get('2')!['name']).toBe('李䶮');
      expect(got.get('3')!['city']).toBe('Санкт-Петербург');
    }
  });

  it('reads a UTF-16 file larger than the 64 KiB sample without a false note', async () => {
    const lines = ['id\tname'];
    for (let i = 1; i <= 3000; i++) lines.push(`${i}\t客户 ${i} Müller`);
    await writeFile(path.join(dir, 'big-utf16.txt'), Buffer.concat([Buffer.from([0xff, 0xfe]), iconv.encode(lines.join('\r\n') + '\r\n', 'utf-16le')]));
    const src = csvSource(dir, 'big-utf16.txt', 'id');
    expect(await src.check()).toEqual({ columns: ['id', 'name'], notes: [] });
    const { records, malformed } = await readAll(src);
    expect(malformed).toEqual([]);
    expect(records).toHaveLength(3000);
    expect(records[2999]!.fields['name']).toBe('客户 3000 Müller');
  });

  it('reads UTF-16LE without a BOM by its zero bytes', async () => {
    await writeFile(path.join(dir, 'utf16le-nobom.csv'), iconv.encode('id\tname\n1\tAnn\n2\tBøb\n', 'utf-16le'));
    const src = csvSource(dir, 'utf16le-nobom.csv', 'id');
    expect((await src.check()).columns).toEqual(['id', 'name']);
    expect(src.detected).toMatchObject({ encoding: 'utf-16le', source: 'utf-16-pattern' });
    expect(byKey((await readAll(src)).records).get('2')!['name']).toBe('Bøb');
  });

  it('reads GB18030 four-byte characters (CJK extension A in a name)', async () => {
    const lines = ['客户编号,姓名,城市', 'G1,李䶮,深圳', 'G2,王芳,上海', 'G3,张伟,北京', 'G4,刘洋,广州', 'G5,陈静,杭州', 'G6,杨磊,成都'];
    await writeFile(path.join(dir, 'gb18030.csv'), iconv.encode(lines.join('\r\n') + '\r\n', 'gb18030'));
    const src = csvSource(dir, 'gb18030.csv', '客户编号');
    await src.check();
    expect(src.detected!.encoding).toBe('gb18030');
    expect(byKey((await readAll(src)).records).get('G1')!['姓名']).toBe('李䶮');
  });

  it('quarantines a line whose bytes are not valid in the encoding assumed from the first 64 KiB', async () => {
    // 70 KiB of ASCII, then a Latin-1 line: the sample says UTF-8, the line cannot be UTF-8.
    const ascii = ['id,name'];
    for (let i = 1; ascii.join('\n').length < 70 * 1024; i++) ascii.push(`${i},Person number ${i}`);
    const n = ascii.length;
    const bytes = Buffer.concat([Buffer.from(ascii.join('\n') + '\n'), iconv.encode(`${n},Müller\n${n + 1},Last One\n`, 'latin1')]);
    await writeFile(path.join(dir, 'late-latin1.csv'), bytes);
    const src = csvSource(dir, 'late-latin1.csv', 'id');
    expect((await src.check()).notes).toEqual([]);
    expect(src.detected).toMatchObject({ encoding: 'utf-8', source: 'ascii' });
    const { records, malformed } = await readAll(src);
    expect(records).toHaveLength(n); // every row but the undecodable one
    expect(malformed).toEqual([
      expect.objectContaining({
        code: 'ENCODING_ERROR',
        lineage: expect.objectContaining({ line: n + 1 }),
        message: expect.stringMatching(/not valid utf-8 .*set `encoding:` for source "src"/),
      }),
    ]);
  });

  it('notes an encoding option that contradicts a byte-order mark', async () => {
    await writeFile(path.join(dir, 'bom-vs-option.csv'), '\uFEFFid,name\n1,Ann\n');
    const { notes } = await csvSource(dir, 'bom-vs-option.csv', 'id', ', encoding: windows-1252').check();
    expect(notes.join('\n')).toMatch(/starts with a utf-8 byte-order mark but the configuration says encoding: windows-1252/);
  });

  it('rejects an unknown encoding name at check time', async () => {
    await expect(csvSource(fixtures, 'customers-gbk.csv', 'customer_id', ', encoding: klingon').check()).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
      message: expect.stringMatching(/unknown encoding "klingon"/),
    });
  });

  it('sniffs the delimiter of two-column and header-only files', async () => {
    for (const [text, delimiter] of [
      ['id\tname\n1\tAnn\n', '\t'],
      ['id;name\n1;"a;b"\n2;c\n', ';'],
      ['id|name', '|'],
      ['id;amount\n1;2,5\n2;3,75\n3;4\n', ';'],
      ['single\nx\n', ','],
    ] as const) {
      expect(sniffDelimiter(text), JSON.stringify(text)).toBe(delimiter);
    }
  });

  it('detects the encoding when the option is empty or auto', async () => {
    for (const value of ['""', 'auto', 'AUTO']) {
      const src = csvSource(fixtures, 'customers-big5.csv', '客戶編號', `, encoding: ${value}`);
      await src.check();
      expect(src.detected, value).toMatchObject({ encoding: 'big5', source: 'detector' });
    }
  });

  it('accepts `tab` as a delimiter and rejects a delimiter longer than one character', async () => {
    const cfg = parseConfig('sources:\n  - {name: s, kind: csv, path: x.csv, key: id, mapping: {}, delimiter: tab}\n', { file: 't.yaml', baseDir: dir });
    expect((cfg.sources[0] as CsvSourceConfig).delimiter).toBe('\t');
    expect(() => parseConfig('sources:\n  - {name: s, kind: csv, path: x.csv, key: id, mapping: {}, delimiter: ";;"}\n', { file: 't.yaml', baseDir: dir })).toThrow(
      /delimiter: a delimiter is one character/,
    );
  });
});

describe('csv parser: the quote-free fast path and the character path agree', () => {
  /** Deterministic pseudo-random numbers (a test that fails must fail again). */
  function lcg(seed: number): () => number {
    let x = seed;
    return () => {
      x = (Math.imul(x, 1_103_515_245) + 12_345) >>> 0;
      return x / 2 ** 32;
    };
  }
  const FIELDS = ['plain', '', 'Müller', '张伟', 'a "quoted" word', 'comma, inside', 'two\nlines', 'crlf\r\ninside', ' padded ', '1234567890'];

  function parseAll(text: string, delimiter: string, chunk: number): string[][] {
    const rows: string[][] = [];
    const p = new CsvParser({ delimiter });
    const onRow = (r: CsvRow): void => {
      rows.push(r.fields);
    };
    for (let i = 0; i < text.length; i += chunk) p.push(text.slice(i, i + chunk), onRow, () => rows.push(['BROKEN']));
    p.end(onRow, () => rows.push(['BROKEN']));
    return rows;
  }

  it('splits random RFC 4180 text as papaparse does, whatever the chunking', () => {
    const rnd = lcg(42);
    for (let round = 0; round < 40; round++) {
      const delimiter = [',', ';', '\t', '|'][round % 4]!;
      const eol = round % 3 === 0 ? '\r\n' : '\n';
      const want: string[][] = [];
      const lines: string[] = [];
      for (let r = 0; r < 30; r++) {
        const fields = Array.from({ length: 4 }, () => FIELDS[Math.floor(rnd() * FIELDS.length)]!);
        if (fields.every((f) => !f)) fields[0] = 'x';
        want.push(fields);
        lines.push(fields.map((f) => (/[",\n\r;\t|]/.test(f) ? `"${f.replace(/"/g, '""')}"` : f)).join(delimiter));
      }
      const text = lines.join(eol) + (round % 2 ? eol : '');
      const reference = Papa.parse<string[]>(text, { delimiter, newline: eol as '\n' | '\r\n', skipEmptyLines: true }).data;
      expect(reference).toEqual(want);
      for (const chunk of [1, 7, 64, 1 << 20]) expect(parseAll(text, delimiter, chunk), `round ${round}, chunk ${chunk}`).toEqual(want);
    }
  });

  it('keeps physical line numbers across fast and slow rows, and lone-CR line breaks', () => {
    const text = 'a,b\n1,"x\ny"\n2,z\r\n\r\n3,"q"\r4,w\r5,v';
    const rows: CsvRow[] = [];
    const p = new CsvParser({ delimiter: ',' });
    p.push(text, (r) => rows.push(r), () => {});
    p.end((r) => rows.push(r), () => {});
    expect(rows.map((r) => [r.line, ...r.fields])).toEqual([
      [1, 'a', 'b'],
      [2, '1', 'x\ny'],
      [4, '2', 'z'],
      [6, '3', 'q'],
      [7, '4', 'w'],
      [8, '5', 'v'],
    ]);
  });
});

describe('csv source: duplicate keys and resume', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'crm-etl-csv-dup-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('still quarantines a repeated key after the cursor when its first occurrence came before', async () => {
    const lines = ['id,name'];
    for (let i = 1; i <= 12; i++) lines.push(`${i},P${i}`);
    lines.push('3,again');
    await writeFile(path.join(dir, 'dup.csv'), lines.join('\n') + '\n');
    // A cursor as a read that stopped after five rows leaves it (a small file arrives in one
    // chunk, so a real read would deliver it whole).
    let last: Record<string, unknown> = {};
    for await (const b of csvSource(dir, 'dup.csv', 'id').read()) last = b.cursor;
    const cursor = { ...last, rows: 5, done: false };
    const rest = { records: [] as RawRecord[], malformed: [] as MalformedRow[] };
    for await (const b of csvSource(dir, 'dup.csv', 'id').read({ cursor, batchSize: 5 })) {
      rest.records.push(...b.records);
      rest.malformed.push(...b.malformed);
    }
    expect(rest.records.map((r) => r.key)).toEqual(['6', '7', '8', '9', '10', '11', '12']);
    expect(rest.malformed).toEqual([expect.objectContaining({ code: 'DUPLICATE_KEY', lineage: expect.objectContaining({ line: 14 }) })]);
  });

  it('renames a repeated column name instead of letting it overwrite the first', async () => {
    await writeFile(path.join(dir, 'twice.csv'), 'id,phone,phone\n1,111,222\n');
    const src = csvSource(dir, 'twice.csv', 'id');
    expect((await src.check()).columns).toEqual(['id', 'phone', 'phone_2']);
    const got = [];
    for await (const b of src.read()) got.push(...b.records);
    expect(got[0]!.fields).toEqual({ id: '1', phone: '111', phone_2: '222' });
  });
});

describe('KeySet', () => {
  it('answers as a Set<string> does, through growth and the switch to wide characters', () => {
    const ours = new KeySet();
    const reference = new Set<string>();
    let x = 7;
    for (let i = 0; i < 60_000; i++) {
      x = (Math.imul(x, 1_103_515_245) + 12_345) >>> 0;
      // Mostly short ASCII keys, many repeats; wide (CJK) keys only in the second half.
      const wide = i > 30_000 && x % 7 === 0;
      const key = wide ? `客${x % 5000}` : `K${x % 40_000}`;
      expect(ours.add(key)).toBe(!reference.has(key));
      reference.add(key);
    }
    expect(ours.size).toBe(reference.size);
    for (const k of ['K1', 'K39999', '客1', '客4999', 'K', '', 'K40000']) expect(ours.has(k), k).toBe(reference.has(k));
  });
});
