/**
 * The OpenAPI 3.0 document of the API, written by hand (no generator in the dependencies) and
 * served at /api/openapi.json. A test checks that every route the server has is described here.
 */
export function openApiDocument(opts: { queue: boolean }): Record<string, unknown> {
  const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
  const json = (schema: unknown, description = 'OK') => ({ description, content: { 'application/json': { schema } } });
  const err = (description: string) => json(ref('Error'), description);
  const guarded = (role: 'viewer' | 'ops' | 'admin', op: Record<string, unknown>) => ({
    ...op,
    security: [{ bearer: [] }],
    'x-required-role': role,
    responses: { ...(op.responses as Record<string, unknown>), '401': err('no valid token'), '403': err(`needs the ${role} role`) },
  });
  const idParam = (name: string, description: string) => ({ name, in: 'path', required: true, description, schema: { type: 'string', maxLength: 200 } });
  const q = (name: string, description: string, schema: Record<string, unknown> = { type: 'string' }) => ({ name, in: 'query', required: false, description, schema });
  const limit = (def: number, max: number) => q('limit', `at most this many (default ${def}, at most ${max})`, { type: 'integer', minimum: 1, maximum: max });
  const values = { type: 'object', additionalProperties: { type: 'string', nullable: true }, description: 'canonical fields; personal ones masked for viewers' };
  const paths: Record<string, unknown> = {
    '/api/health': { get: { summary: 'Liveness', responses: { '200': json({ type: 'object', properties: { ok: { type: 'boolean' } } }) } } },
    '/api/openapi.json': { get: { summary: 'This document', responses: { '200': json({ type: 'object' }) } } },
    '/api/me': { get: guarded('viewer', { summary: 'The caller: token name and role', responses: { '200': json(ref('Me')) } }) },
    '/api/runs': {
      get: guarded('viewer', { summary: 'Runs, newest first, and the run in progress', parameters: [limit(50, 500)], responses: { '200': json({ type: 'object', properties: { running: { ...ref('Progress'), nullable: true }, runs: { type: 'array', items: ref('Run') } } }) } }),
      post: guarded('admin', {
        summary: 'Re-sync: start a pipeline run in the background (inline runner)',
        requestBody: { required: false, content: { 'application/json': { schema: ref('RunRequest') } } },
        responses: { '202': json({ type: 'object', properties: { runId: { type: 'string' }, progress: ref('Progress') } }, 'started'), '400': err('unknown source or bad body'), '409': err('a run is in progress'), '413': err('body too large') },
      }),
    },
    '/api/runs/{id}': { get: guarded('viewer', { summary: 'A run: status, progress and summary (counts and masked examples only)', parameters: [idParam('id', 'run id')], responses: { '200': json(ref('RunDetail')), '404': err('no such run') } }) },
    '/api/sources': { get: guarded('viewer', { summary: 'Configured sources and the run that last read each', responses: { '200': json({ type: 'array', items: { type: 'object', properties: { name: { type: 'string' }, kind: { type: 'string' }, unique: { type: 'boolean' }, lastRun: { type: 'string', nullable: true } } } }) } }) },
    '/api/sources/check': {
      post: guarded('ops', {
        summary: 'Check sources: configuration, connectivity, mapped columns, preview of the first records as staged',
        requestBody: { required: false, content: { 'application/json': { schema: { type: 'object', properties: { sources: { type: 'array', items: { type: 'string' } } }, additionalProperties: false } } } },
        responses: { '200': json({ type: 'array', items: { type: 'object' } }) },
      }),
    },
    '/api/customers': {
      get: guarded('viewer', {
        summary: 'Search customers by name (words, case-insensitive) and/or e-mail or phone (standardized, exact)',
        parameters: [q('q', 'name or company words'), q('email', 'an e-mail address, as written anywhere'), q('phone', 'a phone number, local or international'), q('country', 'region for a local phone number (default: the first source country)'), limit(20, 200)],
        responses: { '200': json({ type: 'array', items: ref('CustomerHit') }) },
      }),
    },
    '/api/customers/{id}': { get: guarded('viewer', { summary: 'One customer: golden record, provenance per field, and its source records', parameters: [idParam('id', 'customer id')], responses: { '200': json(ref('Customer')), '404': err('no such customer') } }) },
    '/api/quality': { get: guarded('viewer', { summary: 'Quality scores of the latest (or a given) run', parameters: [q('run', 'run id')], responses: { '200': json({ type: 'object', properties: { runId: { type: 'string', nullable: true }, scores: { type: 'array', items: ref('Score') } } }) } }) },
    '/api/quality/trend': {
      get: guarded('viewer', {
        summary: 'One score over the runs, oldest first',
        parameters: [q('source', "source name or '*' (default)"), q('field', "field or '*' (default)"), q('dimension', 'default score'), limit(30, 500)],
        responses: { '200': json({ type: 'array', items: { type: 'object', properties: { runId: { type: 'string' }, startedAt: { type: 'string' }, score: { type: 'number' } } } }) },
      }),
    },
    '/api/pairs': { get: guarded('viewer', { summary: 'Scored pairs of a run with the model’s field-by-field explanation', parameters: [q('decision', 'link or review', { type: 'string', enum: ['link', 'review'] }), q('run', 'run id (default latest)'), limit(100, 1000)], responses: { '200': json({ type: 'array', items: ref('Pair') }) } }) },
    '/api/rejects': {
      get: guarded('viewer', {
        summary: 'Rejected values and malformed rows (of the runs whose staged data is current, or of one run), in the order found; personal values and raw rows masked for viewers',
        parameters: [q('run', 'run id'), q('source', 'source name'), q('field', 'canonical field'), q('code', 'issue code, e.g. EMAIL_INVALID'), q('after', 'only ids above this (paging)', { type: 'integer', minimum: 1 }), limit(100, 1000)],
        responses: { '200': json({ type: 'array', items: ref('Reject') }) },
      }),
    },
    '/api/review': { get: guarded('ops', { summary: 'The review queue: undecided pairs between the review and link thresholds', parameters: [limit(100, 1000)], responses: { '200': json({ type: 'array', items: ref('Pair') }) } }) },
    '/api/review/{id}/accept': { post: guarded('ops', { summary: 'Accept a review pair (they are the same customer); audited', parameters: [idParam('id', 'pair id')], responses: { '200': json(ref('Decision')), '404': err('no such review pair') } }) },
    '/api/review/{id}/reject': { post: guarded('ops', { summary: 'Reject a review pair (different customers); audited', parameters: [idParam('id', 'pair id')], responses: { '200': json(ref('Decision')), '404': err('no such review pair') } }) },
    '/api/customers/merge': {
      post: guarded('admin', {
        summary: 'Merge two customers (a must-link every later run respects; the older id survives, the other resolves to it); audited',
        requestBody: { required: true, content: { 'application/json': { schema: { type: 'object', required: ['a', 'b'], properties: { a: { type: 'string' }, b: { type: 'string' } }, additionalProperties: false } } } },
        responses: { '200': json({ type: 'object', properties: { customerId: { type: 'string' } } }), '404': err('no such customer') },
      }),
    },
    '/api/records/unmerge': {
      post: guarded('admin', {
        summary: 'Take a source record out of its customer (cannot-links every later run respects); audited',
        requestBody: { required: true, content: { 'application/json': { schema: { type: 'object', required: ['source', 'key'], properties: { source: { type: 'string' }, key: { type: 'string' } }, additionalProperties: false } } } },
        responses: { '200': json({ type: 'object', properties: { customerId: { type: 'string', description: 'the customer the record left' }, detachedTo: { type: 'string', nullable: true, description: 'the customer the record is in now' } } }), '404': err('no such record in the master') },
      }),
    },
    '/api/audit': {
      get: guarded('admin', {
        summary: 'The whole audit trail, newest first: operations (audit_log: tokens, reviews, merges, runs, erasures, key rotations, configuration) and the master’s changes to each customer (master_audit, actions master.*), in one time order',
        parameters: [
          q('since', 'from this time: ISO date or instant, or an age (30m, 12h, 7d)'),
          q('until', 'before this time (same forms)'),
          q('actor', 'actor contains this text (case-insensitive)'),
          q('customer', "a customer's history: the master's changes to it and the operations on it"),
          q('target', 'e.g. pair:12, run:…, tok_…, config:…, a customer id'),
          q('action', 'one action (config.change, master.update…) or a prefix ending in * (review.*)'),
          limit(100, 1000),
        ],
        responses: { '200': json({ type: 'array', items: ref('AuditEntry') }), '400': err('a bad time') },
      }),
    },
    '/api/config': {
      get: guarded('admin', {
        summary: 'The configuration in effect (defaults filled in; passwords, tokens, secret URL parameters and header values masked), its file and version (also the ETag), and the settings that may change at runtime',
        responses: { '200': json(ref('ConfigView')) },
      }),
      patch: guarded('admin', {
        summary:
          'Change runtime settings (matching.link_threshold, matching.review_threshold, survivorship, quality): a JSON merge patch (objects merge, null removes a key, other values replace), validated with the configuration schema, written atomically to the file the server was started with, in effect for the next run and steward operation, audited (config.change, each setting before and after)',
        parameters: [{ name: 'If-Match', in: 'header', required: false, description: 'the version from GET /api/config: refuse the change (412) if the file changed since', schema: { type: 'string' } }],
        requestBody: { required: true, content: { 'application/json': { schema: { type: 'object', example: { matching: { review_threshold: 0.6 }, quality: { gates: { min_overall: 70 } } } } } } },
        responses: {
          '200': json({ allOf: [ref('ConfigView'), { type: 'object', properties: { changes: { type: 'array', items: { type: 'object', properties: { path: { type: 'string' }, before: {}, after: {} } } } } }] }),
          '400': err('a setting that cannot change at runtime, or a value the schema refuses (the message names each path)'),
          '404': err('the server was not started from a configuration file'),
          '412': err('If-Match is not the file’s version'),
          '413': err('body too large'),
        },
      }),
    },
    '/api/jobs/failed': { get: guarded('admin', { summary: opts.queue ? 'Failed jobs' : 'Failed jobs (404: no queue is configured)', parameters: [limit(100, 1000)], responses: { '200': json({ type: 'array', items: ref('FailedJob') }), '404': err('no queue configured') } }) },
    '/api/jobs/{id}/retry': { post: guarded('admin', { summary: 'Retry a failed job; audited', parameters: [idParam('id', 'job id')], responses: { '200': json({ type: 'object' }), '404': err('no queue configured, or no such failed job') } }) },
    '/metrics': { get: guarded('viewer', { summary: 'Prometheus metrics (text format)', responses: { '200': { description: 'OK', content: { 'text/plain': { schema: { type: 'string' } } } } } }) },
  };
  return {
    openapi: '3.0.3',
    info: { title: 'crm-etl API', version: '1', description: 'Runs, sources, customers, quality, review queue and jobs of a crm-etl customer master. Bearer tokens from `crm-etl token create --role viewer|ops|admin`. Viewers see personal data masked. Every write is audited.' },
    servers: [{ url: '/' }],
    paths,
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'crmetl_… token' } },
      schemas: {
        Error: { type: 'object', required: ['error', 'message'], properties: { error: { type: 'string' }, message: { type: 'string' } } },
        Me: { type: 'object', properties: { name: { type: 'string' }, role: { type: 'string', enum: ['viewer', 'ops', 'admin'] }, tokenId: { type: 'string' }, queue: { type: 'boolean' } } },
        RunRequest: { type: 'object', additionalProperties: false, properties: { sources: { type: 'array', items: { type: 'string' } }, full: { type: 'boolean', default: false }, since: { type: 'string', description: 'read the records changed since this time (ISO date or instant, or an age: 12h, 7d); sql sources with a date/time cursor, http sources with since_param' } } },
        Progress: { type: 'object', properties: { runId: { type: 'string' }, startedAt: { type: 'string' }, stage: { type: 'string', enum: ['extract', 'match', 'load', 'done', 'failed'] }, sourcesDone: { type: 'integer' }, sourcesTotal: { type: 'integer' }, error: { type: 'string' } } },
        Run: { type: 'object', properties: { id: { type: 'string' }, status: { type: 'string' }, startedAt: { type: 'string' }, finishedAt: { type: 'string', nullable: true }, durationMs: { type: 'number', nullable: true }, records: { type: 'integer', nullable: true }, customers: { type: 'integer', nullable: true }, quality: { type: 'number', nullable: true }, error: { type: 'string', nullable: true } } },
        RunDetail: { allOf: [ref('Run'), { type: 'object', properties: { summary: { type: 'object', nullable: true }, progress: { ...ref('Progress'), nullable: true } } }] },
        CustomerHit: { type: 'object', properties: { id: { type: 'string' }, status: { type: 'string' }, recordCount: { type: 'integer' }, values } },
        Customer: {
          allOf: [
            ref('CustomerHit'),
            { type: 'object', properties: { mergedInto: { type: 'string', nullable: true }, createdRun: { type: 'string' }, updatedRun: { type: 'string' }, provenance: { type: 'object', description: 'per field: source, key and rule of the winning value' }, records: { type: 'array', items: { type: 'object', properties: { source: { type: 'string' }, key: { type: 'string' }, line: { type: 'integer', nullable: true }, location: { type: 'string' }, matchProbability: { type: 'number', nullable: true }, values } } } } },
          ],
        },
        Score: { type: 'object', properties: { source: { type: 'string' }, field: { type: 'string' }, dimension: { type: 'string' }, score: { type: 'number' } } },
        PairSide: { type: 'object', properties: { source: { type: 'string' }, key: { type: 'string' }, customerId: { type: 'string', nullable: true }, values } },
        Pair: { type: 'object', properties: { id: { type: 'integer' }, runId: { type: 'string' }, probability: { type: 'number' }, decision: { type: 'string' }, a: ref('PairSide'), b: ref('PairSide'), explanation: { type: 'object', description: 'matchWeight and per field: level, weight (bits)' }, review: { type: 'object', nullable: true } } },
        Decision: { type: 'object', properties: { id: { type: 'integer' }, decision: { type: 'string', enum: ['accept', 'reject'] }, a: { type: 'string' }, b: { type: 'string' } } },
        AuditEntry: {
          type: 'object',
          properties: {
            trail: { type: 'string', enum: ['audit_log', 'master_audit'] },
            id: { type: 'integer', description: 'unique within its trail' },
            at: { type: 'string' },
            actor: { type: 'string', description: 'api:<token name> (<token id>), cli:<OS user>, schedule:<name>, or a --actor' },
            action: { type: 'string' },
            target: { type: 'string', nullable: true, description: 'for master_audit: the customer id' },
            runId: { type: 'string', nullable: true },
            reason: { type: 'string', nullable: true },
            before: {},
            after: {},
          },
        },
        Reject: { type: 'object', properties: { id: { type: 'integer' }, runId: { type: 'string' }, source: { type: 'string' }, key: { type: 'string', nullable: true }, location: { type: 'string' }, line: { type: 'integer', nullable: true }, field: { type: 'string', nullable: true, description: 'null for a malformed row (value: the raw row)' }, value: { type: 'string', nullable: true }, code: { type: 'string' }, reason: { type: 'string' } } },
        ConfigView: { type: 'object', properties: { file: { type: 'string', nullable: true }, version: { type: 'string', nullable: true, description: 'SHA-256 of the file' }, changeable: { type: 'array', items: { type: 'string' } }, config: { type: 'object' } } },
        FailedJob: { type: 'object', properties: { queue: { type: 'string' }, id: { type: 'string' }, name: { type: 'string' }, failedReason: { type: 'string' }, attemptsMade: { type: 'integer' }, finishedOn: { type: 'string', nullable: true } } },
      },
    },
  };
}
