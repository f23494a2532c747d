import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/config/load-config.js';

const base = (mapping: string) => `
store: \${DATABASE_URL:-pglite://./.crm-etl/db}
sources:
  - name: erp
    kind: csv
    path: ./exports/customers.csv
    key: rec_id
    country: au
    mapping:
${mapping}
`;

describe('parseConfig', () => {
  it('expands ${VAR} and ${VAR:-default}, resolves paths and applies defaults', () => {
    const cfg = parseConfig(base('      given_name: given_name\n      address_line1: [street_number, address_1]'), { file: 'c.yaml', env: {}, baseDir: '/srv/etl' });
    expect(cfg.store).toBe('pglite://./.crm-etl/db');
    expect(cfg.queue).toBe('');
    const s = cfg.sources[0]!;
    if (s.kind !== 'csv') throw new Error('expected a csv source');
    expect(s.path).toBe('/srv/etl/exports/customers.csv');
    expect(s.country).toBe('AU');
    expect(s.mapping.address_line1).toEqual(['street_number', 'address_1']);
    expect(cfg.matching.link_threshold).toBe(0.9);
    expect(Object.isFrozen(cfg.sources[0])).toBe(true);
    const withEnv = parseConfig(base('      given_name: g'), { file: 'c.yaml', env: { DATABASE_URL: 'postgres://x/y' } });
    expect(withEnv.store).toBe('postgres://x/y');
  });

  it('names the file, the path and the problem for an unknown canonical field', () => {
    expect(() => parseConfig(base('      first_name: given_name'), { file: 'etl.yaml', env: {} })).toThrow(
      /etl\.yaml: invalid configuration\n {2}- sources\[0\]\.mapping\.first_name: unknown canonical field "first_name"/,
    );
  });

  it('rejects duplicate source names and unset variables', () => {
    const two = `sources:\n  - {name: a, kind: csv, path: x.csv, key: id, mapping: {email: e}}\n  - {name: a, kind: csv, path: y.csv, key: id, mapping: {email: e}}\n`;
    expect(() => parseConfig(two, { file: 'c.yaml' })).toThrow(/sources\[1\]\.name: duplicate source name "a"/);
    expect(() => parseConfig('store: ${NOPE}\n', { file: 'c.yaml', env: {} })).toThrow(/environment variable NOPE is not set/);
  });
});
