import { describe, expect, it } from 'vitest';
import { dateFormatTokens, fixedWidthSourceSchema } from '../../../src/config/sources/fixed-width.js';
import { formatScaled, parseDisplayNumber, parseLayoutDate, parseZoned, unpackPacked } from '../../../src/connectors/fixed-width/field-codecs.js';
import { KeySet } from '../../../src/connectors/shared/key-set.js';
import { singleByteCodec } from '../../../src/connectors/fixed-width/single-byte.js';

const bytes = (...b: number[]): Buffer => Buffer.from(b);
const decode = (enc: string, b: Buffer): string => singleByteCodec(enc)!.decode(b, 0, b.length);

describe('EBCDIC decoding (byte values from IBM CCSID 37 / 500)', () => {
  it('decodes cp037 letters, digits, space and punctuation', () => {
    // "HELLO, World 42!" as an IBM 3270 would send it.
    const b = bytes(0xc8, 0xc5, 0xd3, 0xd3, 0xd6, 0x6b, 0x40, 0xe6, 0x96, 0x99, 0x93, 0x84, 0x40, 0xf4, 0xf2, 0x5a);
    expect(decode('cp037', b)).toBe('HELLO, World 42!');
  });

  it('decodes Latin-1 letters of cp037', () => {
    expect(decode('cp037', bytes(0xd4, 0xfc, 0xd3, 0xd3, 0xc5, 0xd9))).toBe('MÜLLER');
    expect(decode('cp037', bytes(0xc7, 0xc1, 0xd9, 0xc3, 0x75, 0xc1))).toBe('GARCÍA');
    expect(decode('cp037', bytes(0xe9, 0xd6, 0x73))).toBe('ZOË');
    expect(decode('cp037', bytes(0x51, 0x54, 0x48, 0x5f))).toBe('éèç¬');
  });

  it('tells cp037 from cp500 on the seven bytes where they differ', () => {
    const b = bytes(0x4a, 0x4f, 0x5a, 0x5f, 0xb0, 0xba, 0xbb);
    expect(decode('cp037', b)).toBe('¢|!¬^[]');
    expect(decode('cp500', b)).toBe('[!]^¢¬|');
    expect(decode('cp500', bytes(0x4a, 0xe5, 0xc9, 0xd7, 0x5a))).toBe('[VIP]');
    expect(decode('cp037', bytes(0xba, 0xe5, 0xc9, 0xd7, 0xbb))).toBe('[VIP]');
  });

  it('maps the overpunch zones and the line-end controls', () => {
    expect(decode('cp037', bytes(0xc0, 0xc1, 0xc9, 0xd0, 0xd1, 0xd9))).toBe('{AI}JR');
    expect(decode('cp037', bytes(0x25, 0x15, 0x0d, 0x05))).toBe('\n\u0085\r\t');
    const codec = singleByteCodec('cp037')!;
    expect(codec.lineEnds).toEqual([0x25, 0x15]);
    expect(codec.space).toBe(0x40);
    expect(codec.cr).toBe(0x0d);
  });

  it('round-trips every byte and accepts the usual aliases', () => {
    for (const enc of ['cp037', 'cp500']) {
      const codec = singleByteCodec(enc)!;
      const all = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
      const text = codec.decode(all, 0, 256);
      expect(text).toHaveLength(256);
      expect(new Set(text).size).toBe(256);
      expect(codec.encode(text)).toEqual(all);
    }
    expect(singleByteCodec('IBM037')?.name).toBe('cp037');
    expect(singleByteCodec('ebcdic-cp-us')?.name).toBe('cp037');
    expect(singleByteCodec('IBM-500')?.name).toBe('cp500');
    expect(() => singleByteCodec('cp037')!.encode('中')).toThrow(/not in cp037/);
  });

  it('takes single-byte encodings from iconv-lite and refuses multi-byte ones', () => {
    expect(decode('windows-1252', bytes(0x80, 0x93, 0x41, 0x94))).toBe('€“A”');
    expect(decode('cp850', bytes(0x81, 0x9a))).toBe('üÜ');
    expect(decode('latin1', bytes(0xe9, 0x41))).toBe('éA');
    expect(decode('ascii', bytes(0x41, 0xe9))).toBe('Aé');
    for (const enc of ['utf-8', 'utf-16le', 'gbk', 'shift_jis', 'big5', 'no-such-encoding']) expect(singleByteCodec(enc)).toBeNull();
  });
});

describe('COMP-3 packed decimal', () => {
  it('unpacks digits with the implied scale', () => {
    expect(unpackPacked(bytes(0x12, 0x34, 0x5c), 0, 3, 2, true)).toBe('123.45');
    expect(unpackPacked(bytes(0x00, 0x00, 0x70, 0x0d), 0, 4, 2, true)).toBe('-7.00');
    expect(unpackPacked(bytes(0x12, 0x34, 0x5d), 0, 3, 0, true)).toBe('-12345');
    expect(unpackPacked(bytes(0x00, 0x00, 0x5c), 0, 3, 3, true)).toBe('0.005');
  });

  it('reads the sign nibble: C, A, E, F positive (F unsigned), D, B negative; no negative zero', () => {
    expect(unpackPacked(bytes(0x12, 0x3f), 0, 2, 0, false)).toBe('123');
    expect(unpackPacked(bytes(0x12, 0x3a), 0, 2, 0, true)).toBe('123');
    expect(unpackPacked(bytes(0x12, 0x3e), 0, 2, 0, true)).toBe('123');
    expect(unpackPacked(bytes(0x12, 0x3b), 0, 2, 0, true)).toBe('-123');
    expect(unpackPacked(bytes(0x00, 0x0d), 0, 2, 2, true)).toBe('0.00');
  });

  it('reads the field where it is in the record', () => {
    const rec = bytes(0xc3, 0xc1, 0x01, 0x23, 0x45, 0x6c, 0x40);
    expect(unpackPacked(rec, 2, 4, 2, true)).toBe('1234.56');
  });

  it('keeps all 31 digits exactly', () => {
    const b = Buffer.alloc(16, 0x99);
    b[15] = 0x9c;
    expect(unpackPacked(b, 0, 16, 2, true)).toBe('99999999999999999999999999999.99');
  });

  it('rejects a digit nibble above 9 and a missing sign, naming the byte', () => {
    const hi = unpackPacked(bytes(0x12, 0xa4, 0x5c), 0, 3, 0, true);
    expect(hi).toMatchObject({ code: 'INVALID_PACKED', at: 1 });
    expect(hi).toHaveProperty('message', expect.stringMatching(/high nibble 0xA of byte 0xA4/));
    const lo = unpackPacked(bytes(0x12, 0x3a, 0x5c), 0, 3, 0, true);
    expect(lo).toMatchObject({ code: 'INVALID_PACKED', at: 1 });
    const sign = unpackPacked(bytes(0x12, 0x34), 0, 2, 0, true);
    expect(sign).toMatchObject({ code: 'INVALID_PACKED', at: 1 });
    expect(sign).toHaveProperty('message', expect.stringMatching(/sign nibble 0x4/));
  });

  it('refuses a negative value in an unsigned field', () => {
    expect(unpackPacked(bytes(0x12, 0x3d), 0, 2, 0, false)).toMatchObject({ code: 'UNEXPECTED_SIGN' });
  });

  it('reads spaces and low-values as no value', () => {
    expect(unpackPacked(bytes(0x40, 0x40, 0x40), 0, 3, 2, true)).toBe('');
    expect(unpackPacked(bytes(0x20, 0x20), 0, 2, 2, true, 0x20)).toBe('');
    expect(unpackPacked(bytes(0x00, 0x00, 0x00), 0, 3, 2, true)).toBe('');
  });
});

describe('zoned decimal (overpunched sign)', () => {
  it('reads EBCDIC zoned bytes once decoded', () => {
    // F0 F1 F2 F3 C5: zone C on the last digit = +01235
    expect(parseZoned(decode('cp037', bytes(0xf0, 0xf1, 0xf2, 0xf3, 0xc5)), 2, true)).toBe('12.35');
    // F1 F2 D3: zone D = −123
    expect(parseZoned(decode('cp037', bytes(0xf1, 0xf2, 0xd3)), 0, true)).toBe('-123');
    // F5 F0 D0: −500, and the same in cp500
    expect(parseZoned(decode('cp500', bytes(0xf5, 0xf0, 0xd0)), 2, true)).toBe('-5.00');
    // F1 F2 F3: unsigned (zone F)
    expect(parseZoned(decode('cp037', bytes(0xf1, 0xf2, 0xf3)), 0, false)).toBe('123');
  });

  it('reads ASCII overpunch, both conventions', () => {
    expect(parseZoned('00012{', 0, true)).toBe('120');
    expect(parseZoned('00012}', 0, true)).toBe('-120');
    expect(parseZoned('0001234R', 2, true)).toBe('-123.49');
    expect(parseZoned('12p', 0, true)).toBe('-120');
    expect(parseZoned('12y', 0, true)).toBe('-129');
    expect(parseZoned('  42', 0, false)).toBe('42');
    expect(parseZoned('000}', 2, true)).toBe('0.00');
    expect(parseZoned('     ', 2, true)).toBe('');
  });

  it('rejects a non-digit and a negative value in an unsigned field', () => {
    expect(parseZoned('1X3', 0, true)).toMatchObject({ code: 'INVALID_ZONED', at: 1 });
    expect(parseZoned('12*', 0, true)).toMatchObject({ code: 'INVALID_ZONED', at: 2 });
    expect(parseZoned('12J', 0, false)).toMatchObject({ code: 'UNEXPECTED_SIGN' });
  });
});

describe('display numbers', () => {
  it('applies the implied scale and reads leading or trailing signs', () => {
    expect(parseDisplayNumber('000012345', 2, false, true)).toBe('123.45');
    expect(parseDisplayNumber('-00700', 2, true, true)).toBe('-7.00');
    expect(parseDisplayNumber('000000700-', 2, true, true)).toBe('-7.00');
    expect(parseDisplayNumber('000000700 ', 2, true, true)).toBe('7.00');
    expect(parseDisplayNumber('+0042', 0, true, false)).toBe('42');
  });

  it('takes an explicit point as written, padded to the scale', () => {
    expect(parseDisplayNumber('  12.5 ', 2, false, true)).toBe('12.50');
    expect(parseDisplayNumber('0.125', 2, false, true)).toBe('0.125');
  });

  it('rejects letters, a point in an integer and unexpected signs', () => {
    expect(parseDisplayNumber('0001A0000', 2, false, true)).toMatchObject({ code: 'INVALID_NUMBER', at: 4 });
    expect(parseDisplayNumber('12.5', 0, false, false)).toMatchObject({ code: 'INVALID_NUMBER' });
    expect(parseDisplayNumber('-5', 0, false, false)).toMatchObject({ code: 'UNEXPECTED_SIGN' });
    expect(parseDisplayNumber('   ', 2, true, true)).toBe('');
  });

  it('formats scaled digits without float arithmetic', () => {
    expect(formatScaled(false, '5', 2)).toBe('0.05');
    expect(formatScaled(true, '000', 2)).toBe('0.00');
    expect(formatScaled(false, '000123', 0)).toBe('123');
    expect(formatScaled(false, '12345678901234567890123', 3)).toBe('12345678901234567890.123');
  });
});

describe('layout dates', () => {
  const fmt = (f: string): string[] => dateFormatTokens(f)!;
  it('reads the usual COBOL date formats to yyyy-mm-dd', () => {
    expect(parseLayoutDate('19900314', fmt('yyyymmdd'))).toBe('1990-03-14');
    expect(parseLayoutDate('14031990', fmt('ddmmyyyy'))).toBe('1990-03-14');
    expect(parseLayoutDate('03141990', fmt('MMDDYYYY'))).toBe('1990-03-14');
    expect(parseLayoutDate('1240611', fmt('cyymmdd'))).toBe('2024-06-11');
    expect(parseLayoutDate('0991231', fmt('cyymmdd'))).toBe('1999-12-31');
    expect(parseLayoutDate('491231', fmt('yymmdd'))).toBe('2049-12-31');
    expect(parseLayoutDate('500101', fmt('yymmdd'))).toBe('1950-01-01');
    expect(parseLayoutDate('2024060', fmt('yyyyddd'))).toBe('2024-02-29');
    expect(parseLayoutDate('1990-03-14', fmt('yyyy-mm-dd'))).toBe('1990-03-14');
  });

  it('reads the "no date" conventions as empty and refuses impossible dates', () => {
    expect(parseLayoutDate('00000000', fmt('yyyymmdd'))).toBe('');
    expect(parseLayoutDate('99999999', fmt('yyyymmdd'))).toBe('');
    expect(parseLayoutDate('        ', fmt('yyyymmdd'))).toBe('');
    expect(parseLayoutDate('0000-00-00', fmt('yyyy-mm-dd'))).toBe('');
    expect(parseLayoutDate('19900229', fmt('yyyymmdd'))).toBeNull();
    expect(parseLayoutDate('20000229', fmt('yyyymmdd'))).toBe('2000-02-29');
    expect(parseLayoutDate('19901301', fmt('yyyymmdd'))).toBeNull();
    expect(parseLayoutDate('1990031A', fmt('yyyymmdd'))).toBeNull();
  });

  it('validates layouts in the configuration', () => {
    const base = { name: 's', kind: 'fixed-width', path: 'f', key: 'id', mapping: {} };
    const bad = fixedWidthSourceSchema.safeParse({
      ...base,
      record_length: 20,
      layout: [
        { name: 'id', start: 1, length: 5 },
        { name: 'd', start: 6, length: 6, type: 'date', format: 'yyyymmdd' },
        { name: 'n', start: 12, length: 10, type: 'packed', scale: 2 },
        { name: 'id', start: 1, length: 2 },
      ],
    });
    expect(bad.success).toBe(false);
    const messages = bad.error!.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('\n');
    expect(messages).toMatch(/layout\.1\.format: date format "yyyymmdd" is 8 characters but field "d" is 6 bytes/);
    expect(messages).toMatch(/layout\.2: field "n" ends at byte 21, past record_length 20/);
    expect(messages).toMatch(/layout\.3\.name: field "id" appears twice/);
    const typo = fixedWidthSourceSchema.safeParse({ ...base, layout: [{ name: 'id', start: 1, lenght: 5 }] });
    expect(typo.error?.issues.map((i) => i.message).join('\n')).toMatch(/lenght/);
    const ok = fixedWidthSourceSchema.parse({ ...base, layout: [{ name: 'id', start: 1, length: 5 }] });
    expect(ok.encoding).toBe('latin1');
    expect(ok.layout[0]).toMatchObject({ type: 'string', scale: 0, signed: false });
    const noKey = fixedWidthSourceSchema.safeParse({ ...base, key: 'nope', layout: [{ name: 'id', start: 1, length: 5 }] });
    expect(noKey.error?.issues[0]?.message).toMatch(/key "nope" is not a field of the layout/);
  });
});

describe('KeySet (repeated-key detection without a Set of strings)', () => {
  it('tells new keys from repeated ones, exactly', () => {
    const s = new KeySet();
    const n = 50_000;
    for (let i = 0; i < n; i++) expect(s.add(`C${i}`)).toBe(true);
    for (let i = 0; i < n; i += 997) expect(s.add(`C${i}`)).toBe(false);
    expect(s.add('C')).toBe(true);
    expect(s.add('')).toBe(true);
    expect(s.add('')).toBe(false);
    expect(s.add('王秀英|1990-01-01')).toBe(true);
    expect(s.add('王秀英|1990-01-01')).toBe(false);
    const long = 'x'.repeat(70_000);
    expect(s.add(long)).toBe(true);
    expect(s.add(long + 'y')).toBe(true);
    expect(s.add(long)).toBe(false);
    expect(s.size).toBe(n + 5);
  });
});
