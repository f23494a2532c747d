import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, parseConfig } from '../../../src/config/load-config.js';
import type { SourceConfig } from '../../../src/config/schema.js';
import type { Cursor, SourceConnector } from '../../../src/connectors/connector.js';
import { createConnector } from '../../../src/connectors/registry.js';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { FastRecordReader, GIVE_UP } from '../../../src/connectors/xml/xml-fast-reader.js';
import { flattenRecord, readColumn, parseColumnPath } from '../../../src/connectors/xml/xml-fields.js';
import { XmlRecordScanner, type ScannedElement } from '../../../src/connectors/xml/xml-scanner.js';
import { sniffXmlEncoding, XmlSource } from '../../../src/connectors/xml/xml-source.js';
import type { MalformedRow, RawRecord } from '../../../src/core/record.js';
import { writeLegacyFixtures, type LegacyFixtureFacts } from '../../../fixtures/legacy/make-fixtures.js';
import { describeConnectorConformance, describeFileResume } from '../../support/connector-conformance.js';

const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../fixtures/legacy');

let dir: string;
let facts: LegacyFixtureFacts;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'crm-etl-xml-'));
  facts = writeLegacyFixtures(dir);
});
afterAll(() => rm(dir, { recursive: true, force: true }));

async function fixtureSource(): Promise<SourceConfig> {
  const cfg = await loadConfig(path.join(FIXTURES, 'sources.yaml'), {});
  return cfg.sources.find((x) => x.name === 'crm-xml')!;
}

function xmlSource(file: string, extra = ''): SourceConnector {
  const cfg = parseConfig(`sources:\n  - name: t\n    kind: xml\n    path: ${file}\n    record_path: /list/item\n    key: "@id"\n    mapping: {}\n${extra}`, { file: 't.yaml', baseDir: dir });
  return createConnector(cfg.sources[0]!);
}

async function readAll(c: SourceConnector, opts: { cursor?: Cursor; batchSize?: number } = {}) {
  const records: RawRecord[] = [];
  const malformed: MalformedRow[] = [];
  let cursor: Cursor = {};
  for await (const b of c.read(opts)) {
    records.push(...b.records);
    malformed.push(...b.malformed);
    cursor = b.cursor;
  }
  return { records, malformed, cursor, byKey: new Map(records.map((r) => [r.key, r])) };
}

function scanAll(text: string, chunk: number, recordPath = ['list', 'item']): ScannedElement[] {
  const s = new XmlRecordScanner(recordPath);
  const out: ScannedElement[] = [];
  for (let i = 0; i < text.length; i += chunk) {
    s.push(text.slice(i, i + chunk));
    for (let e = s.next(); e; e = s.next()) out.push(e);
  }
  s.end();
  for (let e = s.next(); e; e = s.next()) out.push(e);
  return out;
}

describeConnectorConformance('xml', async () => ({
  connector: async () => createConnector(await fixtureSource()),
  expectedKeys: facts.xmlKeys,
  malformedCount: 1,
  sampleColumn: '@id',
  expectedColumns: ['@id', '@status', 'name.first', 'name.last', 'name.@lang', 'address.city', 'address.@type', 'phones.phone', 'phones.phone.@type', 'phones.phone[1]', 'notes'],
}));

describe('xml: the customer export fixture', () => {
  it('reads attributes, nested elements, repeated elements joined or picked, Chinese names', async () => {
    const { byKey } = await readAll(createConnector(await fixtureSource()));
    expect(byKey.get('X00001')!.fields).toEqual({
      '@id': 'X00001',
      '@status': 'active',
      '@updated': '2024-04-14',
      'name.first': 'Mei; 美',
      'name.last': 'Chen; 陈',
      'name.@lang': 'en; zh',
      email: 'mei.chen1@outlook.com',
      'phones.phone': '0491 570 033; (08) 5550 7086',
      'phones.phone.@type': 'mobile; work',
      'phones.phone[1]': '0491 570 033',
      'name[1].first': 'Mei',
      'name[1].last': 'Chen',
      'address.@type': 'home',
      'address.line': '32 Rundle Mall',
      'address.city': 'Darwin',
      'address.postcode': '0800',
      'address.country': 'AU',
    });
    expect(byKey.get('X00001')!.lineage.line).toBe(7);
  });

  it('keeps CDATA text as written, decodes entities and character references', async () => {
    const { records, byKey } = await readAll(createConnector(await fixtureSource()));
    const notes = records.map((r) => r.fields.notes).filter(Boolean);
    expect(notes).toContain('Prefers <email> & SMS');
    expect(notes).toContain('Ex-staff ]] careful');
    expect(byKey.get('X00014')!.fields.company).toBe('Wang & Sons 有限公司');
    expect(records.some((r) => r.fields['address.line']?.includes('Hay St & Pier St'))).toBe(true);
    // The comment inside <email> is dropped, the text around it kept.
    expect(byKey.get('X00008')!.fields.email).toMatch(/^[a-z.]+8@[a-z.]+$/);
  });

  it('takes a self-closing record element; ignores elements of the same name elsewhere or commented out', async () => {
    const { records, byKey } = await readAll(createConnector(await fixtureSource()));
    expect(byKey.get('X00004')!.fields).toEqual({ '@id': 'X00004', '@status': 'closed' });
    for (const k of ['HDR-1', 'OLD-1', 'X99999']) expect(byKey.has(k)).toBe(false);
    expect(byKey.get('X00006')!.fields['referrer.customer.@id']).toBe('X00002');
    expect(records).toHaveLength(29);
  });

  it('quarantines the malformed element with its line; the next records are read', async () => {
    const { malformed, byKey } = await readAll(createConnector(await fixtureSource()));
    expect(malformed).toHaveLength(1);
    expect(malformed[0]).toMatchObject({
      code: 'MALFORMED_ELEMENT',
      lineage: { line: 114 },
      message: '<customer> starting on line 114: <email> is not closed (found </customer> on line 117)',
    });
    expect(malformed[0]!.raw).toMatch(/^<customer id="X00011"/);
    expect(byKey.has('X00012')).toBe(true);
  });
});

describe('xml: malformed elements, found by the scanner or by the validator', () => {
  const doc = [
    '<?xml version="1.0"?>',
    '<list>',
    '  <item id="1"><name>Good</name></item>',
    '  <item id="2"><name>Smith & Sons</name></item>',
    '  <item id="3><name>Open quote</name></item>',
    '  <item id="4"><name>Good again</name></item>',
    '  <item id="5"><a><b>x</a></b></item>',
    '  <item id="6" flag><name>x</name></item>',
    '  <item id="7">',
    '    <name>Last</name>',
    '  </item>',
    '  <item id="8"><name>Never closed</name>',
    '</list>',
  ].join('\n');

  it('reports each with its line and keeps reading', async () => {
    await writeFile(path.join(dir, 'bad.xml'), doc);
    const { records, malformed } = await readAll(xmlSource('bad.xml'));
    expect(records.map((r) => [r.key, r.lineage.line])).toEqual([
      ['1', 3],
      ['4', 6],
      ['7', 9],
    ]);
    expect(malformed.map((m) => [m.lineage.line, m.message])).toEqual([
      [4, expect.stringMatching(/^<item> starting on line 4: char '&' is not expected\. \(line 4, column \d+\)$/)],
      [5, '<item> starting on line 5: an attribute value of <item> is not closed (line 5)'],
      [7, '<item> starting on line 7: <b> is not closed (found </a> on line 7)'],
      [8, expect.stringMatching(/^<item> starting on line 8: .*flag/)],
      [12, '<item> starting on line 12: <item> is not closed (found </list> on line 13)'],
    ]);
  });

  it('reports a record left open at the end of the file', async () => {
    await writeFile(path.join(dir, 'cut.xml'), '<list>\n<item id="1"/>\n<item id="2"><name>cut sh');
    const { records, malformed } = await readAll(xmlSource('cut.xml'));
    expect(records.map((r) => r.key)).toEqual(['1']);
    expect(malformed).toMatchObject([{ lineage: { line: 3 }, message: '<item> starting on line 3: <item> starting on line 3 is not closed before the end of the file' }]);
  });
});

describe('xml: the element scanner', () => {
  const text = [
    '<?xml version="1.0"?>',
    '<!DOCTYPE list [ <!ENTITY co "Company"> <!ELEMENT list ANY> ]>',
    '<list>',
    '<!-- <item id="c1"/> -->',
    '<item id="1" note="a > b"><x><![CDATA[</item> <item id="no">]]></x></item>',
    '<other><item id="nested-elsewhere"/></other>',
    '<item id="2"><item id="inner"/><?pi </item> ?></item>',
    '<item',
    '  id="3"',
    '/>',
    '</list>',
  ].join('\n');

  it('finds the records whatever the chunk size, with their lines', () => {
    const whole = scanAll(text, text.length);
    expect(whole.map((e) => [e.line, e.broken, /id="([^"]+)"/.exec(e.text)?.[1]])).toEqual([
      [5, undefined, '1'],
      [7, undefined, '2'],
      [8, undefined, '3'],
    ]);
    expect(whole[0]!.text).toBe('<item id="1" note="a > b"><x><![CDATA[</item> <item id="no">]]></x></item>');
    for (const chunk of [1, 2, 3, 7, 64]) expect(scanAll(text, chunk)).toEqual(whole);
  });

  it('counts lines in a document on one line and across CRLF', () => {
    expect(scanAll('<list><item id="1"/><item id="2"></item></list>', 5).map((e) => e.line)).toEqual([1, 1]);
    expect(scanAll('<list>\r\n<item id="1"/>\r\n\r\n<item id="2"></item></list>', 3).map((e) => e.line)).toEqual([2, 4]);
  });

  it('drops a record element too large to keep, and finds the next one', () => {
    const s = new XmlRecordScanner(['list', 'item'], 100);
    s.push(`<list><item id="1">${'<a>x</a>'.repeat(50)}</item><item id="2"/></list>`);
    s.end();
    const [big, next] = [s.next(), s.next()];
    expect(big).toMatchObject({ text: '', broken: expect.stringMatching(/larger than/) });
    expect(next?.text).toBe('<item id="2"/>');
  });
});

describe('xml: columns', () => {
  const root = {
    '@id': '7',
    name: [{ '@lang': 'en', first: 'Wei', last: 'Wang' }, { '@lang': 'zh', first: '伟', last: '王' }],
    phones: { phone: [{ '#text': '111', '@type': 'm' }, { '#text': '222', '@type': 'w' }] },
    fax: '',
    mixed: { '#text': 'hello', b: 'bold' },
  };

  it('flattens every leaf, joining repeated values', () => {
    expect(flattenRecord(root)).toEqual({
      '@id': '7',
      'name.@lang': 'en; zh',
      'name.first': 'Wei; 伟',
      'name.last': 'Wang; 王',
      'phones.phone': '111; 222',
      'phones.phone.@type': 'm; w',
      fax: '',
      mixed: 'hello',
      'mixed.b': 'bold',
    });
  });

  it('reads a path with occurrence indexes, XPath style', () => {
    const col = (p: string): string => readColumn(root, parseColumnPath(p));
    expect(col('name[2].first')).toBe('伟');
    expect(col('phones.phone[2]')).toBe('222');
    expect(col('phones.phone[2].@type')).toBe('w');
    expect(col('phones.phone[3]')).toBe('');
    expect(col('name.first')).toBe('Wei; 伟');
    expect(col('nope.x')).toBe('');
    expect(col('constructor')).toBe('');
  });

  it('reads only the configured columns when `columns` is set', async () => {
    await writeFile(path.join(dir, 'cols.xml'), '<list><item id="1"><n><f>A</f></n><p>1</p><p>2</p></item><item id="2"/></list>');
    const c = xmlSource('cols.xml', '    columns: ["@id", "n.f", "p[2]", "p"]\n');
    expect((await c.check()).columns).toEqual(['@id', 'n.f', 'p[2]', 'p']);
    const { records } = await readAll(c);
    expect(records.map((r) => r.fields)).toEqual([
      { '@id': '1', 'n.f': 'A', 'p[2]': '2', p: '1; 2' },
      { '@id': '2', 'n.f': '', 'p[2]': '', p: '' },
    ]);
  });

  it('check() names a record_path that finds nothing; the configuration refuses a bad column path', async () => {
    await writeFile(path.join(dir, 'other.xml'), '<root><row id="1"/></root>');
    await expect(xmlSource('other.xml').check()).rejects.toMatchObject({ code: 'SOURCE_SCHEMA', message: expect.stringMatching(/no <item> element at list\/item/) });
    expect(() => xmlSource('other.xml', '    columns: ["a..b"]\n')).toThrow(/columns\[0\]: a column is a path/);
  });
});

describe('xml: encodings', () => {
  it('reads the encoding from the byte-order mark or the XML declaration', () => {
    expect(sniffXmlEncoding(Buffer.from('\uFEFF<a/>', 'utf8'))).toEqual({ encoding: 'utf-8', from: 'bom' });
    expect(sniffXmlEncoding(Buffer.from('\uFEFF<a/>', 'utf16le'))).toEqual({ encoding: 'utf-16le', from: 'bom' });
    expect(sniffXmlEncoding(Buffer.from(`<?xml version='1.0' encoding='GB2312' ?><a/>`))).toEqual({ encoding: 'GB2312', from: 'declaration' });
    expect(sniffXmlEncoding(Buffer.from('<a/>'))).toEqual({ encoding: 'utf-8', from: 'default' });
  });

  it('decodes a GBK file by its declaration and a UTF-16 file by its BOM', async () => {
    const body = (enc: string) => `<?xml version="1.0" encoding="${enc}"?>\n<list>\n<item id="1"><name>王秀英</name></item>\n<item id="2"><name>陈美</name></item>\n</list>\n`;
    await writeFile(path.join(dir, 'gbk.xml'), iconv.encode(body('GBK'), 'gbk'));
    await writeFile(path.join(dir, 'utf16.xml'), iconv.encode(body('UTF-16'), 'utf-16le', { addBOM: true }));
    for (const f of ['gbk.xml', 'utf16.xml']) {
      const { records } = await readAll(xmlSource(f));
      expect(records.map((r) => [r.fields.name, r.lineage.line])).toEqual([
        ['王秀英', 3],
        ['陈美', 4],
      ]);
    }
  });

  it('refuses an encoding it cannot decode', async () => {
    await writeFile(path.join(dir, 'weird.xml'), '<?xml version="1.0" encoding="x-unknown-42"?><list/>');
    await expect(xmlSource('weird.xml').check()).rejects.toMatchObject({ code: 'CONFIG_INVALID', message: expect.stringMatching(/XML declaration names, "x-unknown-42"/) });
  });
});

describe('xml: large files', () => {
  it('reads a UTF-8 file with a byte-order mark and a stray byte that is not UTF-8 as a decoder would', async () => {
    const n = 8_000;
    const parts = ['<list>\n'];
    for (let i = 1; i <= n; i++) parts.push(`<item id="${i}"><name>Zoë 王 ${i}</name><pad>${'y'.repeat(i % 89)}</pad></item>\n`);
    parts.push('</list>\n');
    const body = Buffer.from(parts.join(''), 'utf8');
    // A Latin-1 "é" (0xE9, not UTF-8) in record 5,000's name, well past the first chunk.
    const at = body.indexOf(Buffer.from('Zoë 王 5000<'));
    const bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), body.subarray(0, at), Buffer.from([0x5a, 0xe9]), body.subarray(at + 1)]);
    await writeFile(path.join(dir, 'stray.xml'), bytes);
    const { records, malformed } = await readAll(xmlSource('stray.xml'), { batchSize: 1000 });
    expect(malformed).toEqual([]);
    expect(records).toHaveLength(n);
    expect(records[0]!.fields).toEqual({ '@id': '1', name: 'Zoë 王 1', pad: 'y' });
    expect(records[4999]!.fields.name).toBe('Z\ufffdoë 王 5000');
    expect(records.every((r, i) => i === 4999 || (r.fields.name === `Zoë 王 ${i + 1}` && r.lineage.line === i + 2))).toBe(true);
  });

  it('streams records spanning chunk boundaries and resumes by count', async () => {
    const n = 20_000;
    const parts = ['<list>\n'];
    for (let i = 1; i <= n; i++) parts.push(`<item id="${i}"><name>名字 ${i}</name><pad>${'x'.repeat(i % 97)}</pad></item>\n`);
    parts.push('</list>\n');
    await writeFile(path.join(dir, 'big.xml'), parts.join(''));
    const all = await readAll(xmlSource('big.xml'), { batchSize: 3000 });
    expect(all.records).toHaveLength(n);
    expect(all.records[n - 1]!.lineage.line).toBe(n + 1);
    expect(all.records[n - 1]!.fields.name).toBe(`名字 ${n}`);
    // Chunks end inside three-byte characters here and there: every name is whole.
    expect(all.records.every((r, i) => r.fields.name === `名字 ${i + 1}` && r.fields.pad === 'x'.repeat((i + 1) % 97))).toBe(true);
    let cursor: Cursor | undefined;
    for await (const b of xmlSource('big.xml').read({ batchSize: 3000 })) {
      cursor = b.cursor;
      break;
    }
    const rest = await readAll(xmlSource('big.xml'), { cursor: cursor!, batchSize: 5000 });
    expect(rest.records[0]!.key).toBe('3001');
    expect(rest.cursor).toMatchObject({ elements: n, delivered: n, done: true });
  });
});

describe('xml: the one-pass reader agrees with fast-xml-parser', () => {
  const fxp = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '@',
    textNodeName: '#text',
    parseTagValue: false,
    parseAttributeValue: false,
    trimValues: true,
    ignoreDeclaration: true,
    ignorePiTags: true,
    htmlEntities: true,
  });
  const indexed = ['p[2]', 'a[1].b', 'a.@k', 'n[1]', 'x[1].@y'].map((c) => ({ name: c, segs: parseColumnPath(c) }));
  const slow = (el: string, name: string): Record<string, string> => {
    const root = (fxp.parse(el) as Record<string, unknown>)[name];
    const out = flattenRecord(root);
    for (const c of indexed) {
      const v = readColumn(root, c.segs);
      if (v) out[c.name] = v;
    }
    return out;
  };
  const reader = new FastRecordReader(true, indexed);
  const fast = (el: string): Record<string, string> | number => {
    const end = reader.read(el, 0);
    return end === el.length ? reader.takeFields() : end;
  };

  const wellFormed = [
    '<r id="1"/>',
    '<r/>',
    '<r>just text</r>',
    '<r a="1">text</r>',
    "<r a='single' b=\"dou'ble\"><p>1</p><p>2</p><p/></r>",
    '<r>hi <b>x</b> there <b>y</b> end</r>',
    '<r><n>Hello <![CDATA[ x ]]> world</n><m><![CDATA[  a  ]]></m><e><![CDATA[]]></e></r>',
    '<r><n k="v"><![CDATA[   ]]></n><o k="v"></o><q k="v">  </q></r>',
    '<r>\r\n<n>a\r\nb</n><n>a<!-- c -->b</n><n>a<?pi x?>b</n></r>',
    '<r><n>&#x1F600;&#128512;&quot;&apos;&gt;&lt;&amp;</n><m x="&#20013;&amp;">&#32;x</m></r>',
    '<r xmlns:a="u"><a:n a:x="1">v</a:n></r>',
    '<r><a k="1"><b>x</b><b>y</b></a><a k="2"><b>z</b><c/></a><x y="1"/><x y="2"/></r>',
    '<r><n>0042</n><t>true</t><e></e><s> </s></r  >',
    '<r\n  id="7"\n  z = "spaced" >\n  <name>王秀英</name>\n</r>',
    '<r><r id="nested">inner</r><p>1</p></r>',
  ];

  it('reads every well-formed element to the same columns', () => {
    for (const el of wellFormed) expect(fast(el), el).toEqual(slow(el, 'r'));
  });

  it('gives up on every element the validator refuses, and on what it leaves to fast-xml-parser', () => {
    const refused = [
      '<r><a>Smith & Sons</a></r>',
      '<r a="1" a="2"/>',
      '<r a=1/>',
      '<r a="1"b="2"/>',
      '<r flag/>',
      '<r><a><b>x</a></b></r>',
      '<r><a>x</a ></b></r>',
      '<r><1a>x</1a></r>',
    ];
    for (const el of refused) {
      expect(XMLValidator.validate(el), el).not.toBe(true);
      expect(fast(el), el).toBe(GIVE_UP);
    }
    for (const el of ['<r><!DOCTYPE x></r>', '<r><a>&nbsp;&unknown;</a></r>', '<r a="x<y"/>', '<r><a>x]]>y</a></r>']) expect(fast(el), el).toBe(GIVE_UP);
  });

  it('reads the fixture and the malformed document exactly as the fast-xml-parser path does', async () => {
    const cfg = await fixtureSource();
    if (cfg.kind !== 'xml') throw new Error('expected an xml source');
    const a = await readAll(new XmlSource(cfg));
    const b = await readAll(new XmlSource(cfg, { fastPath: false }));
    expect(a.records).toEqual(b.records);
    expect(a.malformed).toEqual(b.malformed);
    for (const r of a.records) expect(Object.keys(r.fields)).toEqual(Object.keys(b.byKey.get(r.key)!.fields));
  });
});

describeFileResume('xml', async () => ({
  file: path.join(dir, 'resume.xml'),
  connector: async (file) => xmlSource(file),
  // Records added at the end of an export go before its closing tags.
  write: (file, records) =>
    writeFile(file, ['<?xml version="1.0" encoding="UTF-8"?>', '<list>', ...records.map((r) => `  <item id="${r.key}"><name>${r.name}</name></item>`), '</list>', ''].join('\n')),
}));
