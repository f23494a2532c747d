import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { parseConfig } from '../../../src/config/load-config.js';
import { createConnector } from '../../../src/connectors/registry.js';
import { describeConnectorConformance, describeFileResume } from '../../support/connector-conformance.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'crm-etl-csv-'));
  const rows = ['id;name;email'];
  for (let i = 1; i <= 23; i++) rows.push(`${i}; Person ${i} ;p${i}@mail.test`);
  // Two unclosed quotes: the first would close at the second's, the rows between one field of
  // one malformed row; both lines are quarantined and every row between them is read.
  rows.splice(18, 0, '97;"broken again;y');
  rows.splice(10, 0, '99;"broken;x');
  rows.splice(5, 0, '98;too;many;fields');
  await writeFile(path.join(dir, 'people.csv'), '\uFEFF' + rows.join('\r\n') + '\r\n');
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describeConnectorConformance('csv', async () => ({
  connector: async () => {
    const cfg = parseConfig('sources:\n  - {name: people, kind: csv, path: people.csv, key: id, mapping: {full_name: name}}\n', { file: 't.yaml', baseDir: dir });
    return createConnector(cfg.sources[0]!);
  },
  expectedKeys: Array.from({ length: 23 }, (_, i) => String(i + 1)),
  malformedCount: 3,
  sampleColumn: 'name',
  expectedColumns: ['id', 'name', 'email'],
}));

describeFileResume('csv', async () => ({
  file: path.join(dir, 'resume.csv'),
  connector: async (file) => createConnector(parseConfig(`sources:\n  - {name: r, kind: csv, path: ${JSON.stringify(file)}, key: id, mapping: {}}\n`, { file: 't.yaml' }).sources[0]!),
  write: (file, records) => writeFile(file, ['id,name', ...records.map((r) => `${r.key},${r.name}`)].join('\n') + '\n'),
}));
