import { describe, expect, it } from 'vitest';
import { checkPatchPaths, diffRuntimeSettings, maskConfigSecrets, patchConfigText } from '../../../src/config/live-config.js';
import { parseConfig } from '../../../src/config/load-config.js';
import { patchOfAssignments } from '../../../src/cli/config.js';

const TEXT = `# the demo
store: "\${DATABASE_URL:-pglite://./db}"   # where data lives
sources:
  - {name: erp, kind: csv, path: a.csv, key: id, mapping: {email: e}}
  - {name: crm, kind: csv, path: b.csv, key: id, mapping: {email: e}}
matching: {}   # defaults
quality: {}
`;

describe('runtime configuration changes', () => {
  it('accepts only the runtime settings and names the path of anything else', () => {
    expect(() => checkPatchPaths({ matching: { review_threshold: 0.6 }, survivorship: { default: 'longest' }, quality: { gates: { min_overall: 70 } } })).not.toThrow();
    expect(() => checkPatchPaths({ matching: { max_block_size: 5 } })).toThrow(/^matching\.max_block_size: cannot be changed at runtime/);
    expect(() => checkPatchPaths({ store: 'postgres://evil' })).toThrow(/^store: cannot be changed at runtime/);
    expect(() => checkPatchPaths({ security: { sensitive_fields: [] } })).toThrow(/^security: cannot/);
    expect(() => checkPatchPaths({ matching: 0.5 })).toThrow(/^matching: expected an object/);
    expect(() => checkPatchPaths([])).toThrow(/^\(body\): expected an object/);
    expect(() => checkPatchPaths({})).toThrow(/an empty change/);
  });

  it('patches the YAML in place: comments and ${VAR}s kept, null removes, objects merge', () => {
    // An empty value (\`quality:\`) becomes a map to merge into.
    const once = patchConfigText(TEXT.replace('quality: {}', 'quality:'), 'c.yaml', { matching: { review_threshold: 0.6 }, quality: { gates: { min_overall: 70, fields: { email: 80 } } }, survivorship: { source_priority: ['crm', 'erp'] } });
    expect(once).toContain('# the demo');
    expect(once).toContain('# where data lives');
    expect(once).toContain('${DATABASE_URL:-pglite://./db}');
    const cfg = parseConfig(once, { file: 'c.yaml', env: {} });
    expect(cfg.matching.review_threshold).toBe(0.6);
    expect(cfg.matching.link_threshold).toBe(0.9);
    expect(cfg.quality.gates).toMatchObject({ min_overall: 70, fields: { email: 80 } });
    expect(cfg.survivorship.source_priority).toEqual(['crm', 'erp']);
    const twice = parseConfig(patchConfigText(once, 'c.yaml', { quality: { gates: { min_overall: null, fields: { phone: 60 } } } }), { file: 'c.yaml', env: {} });
    expect(twice.quality.gates.min_overall).toBeUndefined();
    expect(twice.quality.gates.fields).toEqual({ email: 80, phone: 60 });
    // A .json file stays JSON.
    const json = patchConfigText(JSON.stringify({ sources: [] }), 'c.json', { matching: { link_threshold: 0.95 } });
    expect(JSON.parse(json)).toEqual({ sources: [], matching: { link_threshold: 0.95 } });
  });

  it('refuses an upside-down review band, naming the path', () => {
    expect(() => parseConfig(patchConfigText(TEXT, 'c.yaml', { matching: { review_threshold: 0.95 } }), { file: 'c.yaml', env: {} })).toThrow(
      /c\.yaml: invalid configuration\n {2}- matching\.review_threshold: must not be above link_threshold \(0\.9\)/,
    );
  });

  it('lists what changed, setting by setting', () => {
    const a = parseConfig(TEXT, { file: 'c.yaml', env: {} });
    const b = parseConfig(patchConfigText(TEXT, 'c.yaml', { matching: { link_threshold: 0.95 }, quality: { gates: { min_overall: 70 } } }), { file: 'c.yaml', env: {} });
    expect(diffRuntimeSettings(a, b)).toEqual([
      { path: 'matching.link_threshold', before: 0.9, after: 0.95 },
      { path: 'quality.gates.min_overall', before: null, after: 70 },
    ]);
    expect(diffRuntimeSettings(a, a)).toEqual([]);
  });

  it('masks passwords, tokens, secret URL parameters and header values when shown', () => {
    const cfg = parseConfig(
      `store: postgres://etl:s3cret@db:5432/crm
sources:
  - {name: erp, kind: csv, path: a.csv, key: id, mapping: {email: e}}
  - name: api
    kind: http
    url: https://erp.example.com/customers?api_key=k3y&page_size=10
    key: id
    mapping: {email: mail}
    auth: {type: basic, username: bob, password: hunter2}
    headers: {X-Tenant: acme-secret-tenant}
`,
      { file: 'c.yaml', env: {} },
    );
    const shown = JSON.stringify(maskConfigSecrets(cfg));
    for (const secret of ['s3cret', 'k3y', 'hunter2', 'acme-secret-tenant']) expect(shown).not.toContain(secret);
    expect(shown).toContain('page_size=10');
    expect(shown).toContain('"username":"bob"');
  });

  it('reads PATH=VALUE assignments as one patch (values as YAML)', () => {
    expect(patchOfAssignments(['matching.review_threshold=0.6', 'survivorship.source_priority=[crm, erp]', 'quality.gates.min_overall=null', 'survivorship.fields.email=most_recent'])).toEqual({
      matching: { review_threshold: 0.6 },
      survivorship: { source_priority: ['crm', 'erp'], fields: { email: 'most_recent' } },
      quality: { gates: { min_overall: null } },
    });
    expect(() => patchOfAssignments(['matching.review_threshold'])).toThrow(/PATH=VALUE/);
  });
});
