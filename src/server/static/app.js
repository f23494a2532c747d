// The crm-etl dashboard: plain JS module, no build step. Data only ever goes into the page
// through textContent (never innerHTML): customer values are untrusted input.
import { lineChart } from './charts.js';

const TOKEN_KEY = 'crm-etl-token';
const ROLES = ['viewer', 'ops', 'admin'];
let me = null;

const $ = (sel) => document.querySelector(sel);

function h(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'class') e.className = v;
    else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v);
  }
  for (const c of children) if (c !== null && c !== undefined) e.append(c instanceof Node ? c : String(c));
  return e;
}

class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

async function api(path, options = {}) {
  const token = sessionStorage.getItem(TOKEN_KEY);
  const headers = { authorization: `Bearer ${token}` };
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(path, { method: options.method ?? 'GET', headers, body: options.body === undefined ? undefined : JSON.stringify(options.body) });
  const data = await res.json().catch(() => ({}));
  if (res.status === 401) {
    logout();
    throw new ApiError(401, data.message ?? 'log in again');
  }
  if (!res.ok) throw new ApiError(res.status, data.message ?? res.statusText);
  return data;
}

const allows = (needed) => me && ROLES.indexOf(me.role) >= ROLES.indexOf(needed);
const fmtTime = (iso) => (iso ? new Date(iso).toLocaleString() : '');
const fmtDuration = (ms) => (ms == null ? '' : `${(ms / 1000).toFixed(1)} s`);

function fillTable(table, rows) {
  const body = table.querySelector('tbody');
  body.replaceChildren(...rows.map((cells) => h('tr', {}, ...cells.map((c) => (c instanceof Node ? h('td', {}, c) : h('td', typeof c === 'number' ? { class: 'num' } : {}, c ?? ''))))));
}

// --- login ---------------------------------------------------------------------------------
async function login(token) {
  sessionStorage.setItem(TOKEN_KEY, token);
  try {
    me = await api('/api/me');
  } catch (err) {
    sessionStorage.removeItem(TOKEN_KEY);
    $('#login-error').textContent = err.status === 401 ? 'That token is not valid (or was revoked).' : err.message;
    return;
  }
  $('#login-error').textContent = '';
  $('#login').hidden = true;
  $('#nav').hidden = false;
  $('#logout').hidden = false;
  $('#who').textContent = `${me.name} (${me.role})`;
  for (const e of document.querySelectorAll('[data-role]')) e.hidden = !allows(e.dataset.role);
  show('runs');
}

function logout() {
  sessionStorage.removeItem(TOKEN_KEY);
  me = null;
  $('#login').hidden = false;
  $('#nav').hidden = true;
  $('#logout').hidden = true;
  $('#who').textContent = '';
  for (const v of document.querySelectorAll('.view')) v.hidden = true;
}

// --- views ---------------------------------------------------------------------------------
const views = { runs: loadRuns, quality: loadQuality, pairs: loadPairs, review: loadReview, customers: async () => {}, config: loadConfig };

async function show(name) {
  for (const v of document.querySelectorAll('.view')) v.hidden = v.id !== `view-${name}`;
  for (const b of document.querySelectorAll('nav button')) {
    if (b.dataset.view === name) b.setAttribute('aria-current', 'page');
    else b.removeAttribute('aria-current');
  }
  try {
    await views[name]();
  } catch (err) {
    $(`#view-${name}`).append(h('p', { class: 'error' }, err.message));
  }
}

async function loadRuns() {
  const { runs, running } = await api('/api/runs?limit=30');
  fillTable($('#runs-table'), runs.map((r) => [r.id, h('span', { class: `status-${r.status}` }, r.status), fmtTime(r.startedAt), fmtDuration(r.durationMs), r.records, r.customers, r.quality]));
  showProgress(running);
}

function showProgress(p) {
  $('#progress').hidden = !p;
  if (!p) return;
  const share = p.stage === 'extract' ? (p.sourcesDone / Math.max(1, p.sourcesTotal)) * 60 : p.stage === 'match' ? 70 : p.stage === 'load' ? 90 : 100;
  $('#progress-bar').value = share;
  $('#progress-text').textContent = `${p.runId}: ${p.stage} (${p.sourcesDone}/${p.sourcesTotal} sources read)`;
}

async function resync() {
  const status = $('#run-status');
  status.textContent = 'starting…';
  let started;
  try {
    started = await api('/api/runs', { method: 'POST', body: {} });
  } catch (err) {
    status.textContent = err.message;
    return;
  }
  status.textContent = `Run ${started.runId} running…`;
  for (;;) {
    await new Promise((r) => setTimeout(r, 700));
    const run = await api(`/api/runs/${encodeURIComponent(started.runId)}`);
    showProgress(run.progress && run.progress.stage !== 'done' && run.progress.stage !== 'failed' ? run.progress : null);
    if (run.status !== 'running') {
      status.textContent = run.status === 'succeeded' ? `Run ${run.id} succeeded: ${run.records} records, ${run.customers} customers, quality ${run.quality}` : `Run ${run.id} failed: ${run.error ?? run.progress?.error ?? ''}`;
      break;
    }
  }
  await loadRuns();
}

async function loadQuality() {
  const trend = await api('/api/quality/trend?limit=30');
  $('#trend-chart').replaceChildren(lineChart(trend.map((t) => ({ label: fmtTime(t.startedAt), value: t.score }))));
  const { scores } = await api('/api/quality');
  const bySource = new Map();
  for (const s of scores) {
    const row = bySource.get(s.source) ?? {};
    if (s.field === '*') row[s.dimension] = s.score;
    else (row.fields ??= []).push(s);
    bySource.set(s.source, row);
  }
  const avg = (fields, dim) => {
    const xs = (fields ?? []).filter((f) => f.dimension === dim).map((f) => f.score);
    return xs.length ? Math.round((xs.reduce((a, b) => a + b, 0) / xs.length) * 10) / 10 : '';
  };
  fillTable($('#quality-table'), [...bySource].map(([source, r]) => [source === '*' ? 'all sources' : source, r.score ?? '', avg(r.fields, 'completeness'), avg(r.fields, 'validity')]));
}

function explanationTable(ex) {
  if (!ex || !Array.isArray(ex.fields)) return h('p', { class: 'hint' }, 'no explanation stored');
  return h(
    'table',
    { class: 'explanation' },
    h('thead', {}, h('tr', {}, h('th', {}, 'field'), h('th', {}, 'comparison'), h('th', {}, 'weight'))),
    h('tbody', {}, ...ex.fields.filter((f) => f.level !== 'missing').map((f) => h('tr', {}, h('td', {}, f.field), h('td', {}, f.level), h('td', { class: `num ${f.weight >= 0 ? 'weight-pos' : 'weight-neg'}` }, f.weight)))),
  );
}

function pairValues(p) {
  const fields = Object.keys(p.a.values).filter((f) => p.a.values[f] || p.b.values[f]);
  return h(
    'table',
    {},
    h('thead', {}, h('tr', {}, h('th', {}, ''), h('th', {}, `${p.a.source}:${p.a.key}`), h('th', {}, `${p.b.source}:${p.b.key}`))),
    h('tbody', {}, ...fields.map((f) => h('tr', {}, h('th', {}, f), h('td', {}, p.a.values[f] ?? ''), h('td', {}, p.b.values[f] ?? '')))),
  );
}

async function loadPairs() {
  const pairs = await api('/api/pairs?decision=link&limit=50');
  $('#pairs-list').replaceChildren(
    ...(pairs.length ? pairs : []).map((p) =>
      h('div', { class: 'card pair' }, h('h3', {}, `${(p.probability * 100).toFixed(1)}% · ${p.a.source}:${p.a.key} ↔ ${p.b.source}:${p.b.key}`), pairValues(p), h('details', {}, h('summary', {}, `explanation (match weight ${p.explanation?.matchWeight ?? '?'})`), explanationTable(p.explanation))),
    ),
  );
  if (!pairs.length) $('#pairs-list').append(h('p', { class: 'hint' }, 'No linked pairs yet.'));
}

async function loadReview() {
  const pairs = await api('/api/review?limit=50');
  const list = $('#review-list');
  list.replaceChildren(
    ...pairs.map((p) => {
      const card = h('div', { class: 'card review-pair', 'data-pair': String(p.id) });
      const decide = (decision) => async () => {
        try {
          await api(`/api/review/${p.id}/${decision}`, { method: 'POST', body: {} });
          card.remove();
          $('#review-status').textContent = `Pair ${p.id} ${decision === 'accept' ? 'accepted' : 'rejected'}.`;
        } catch (err) {
          $('#review-status').textContent = err.message;
        }
      };
      card.append(
        h('h3', {}, `Pair ${p.id}: ${(p.probability * 100).toFixed(1)}%`),
        pairValues(p),
        h('details', {}, h('summary', {}, 'explanation'), explanationTable(p.explanation)),
        h('p', {}, h('button', { class: 'accept', onclick: decide('accept') }, 'Accept'), ' ', h('button', { class: 'reject', onclick: decide('reject') }, 'Reject')),
      );
      return card;
    }),
  );
  if (!pairs.length) list.append(h('p', { class: 'hint' }, 'Nothing to review.'));
}

async function searchCustomers(ev) {
  ev.preventDefault();
  const q = new URLSearchParams();
  for (const [k, id] of [['q', '#search-name'], ['email', '#search-email'], ['phone', '#search-phone']]) if ($(id).value.trim()) q.set(k, $(id).value.trim());
  const hits = await api(`/api/customers?${q}`);
  fillTable(
    $('#customers-table'),
    hits.map((c) => [
      h('a', { href: '#', onclick: (e) => (e.preventDefault(), showCustomer(c.id)) }, c.id),
      c.values.full_name ?? [c.values.given_name, c.values.family_name].filter(Boolean).join(' '),
      c.values.company_name,
      c.values.email,
      c.values.phone,
      c.values.city,
      c.recordCount,
    ]),
  );
}

async function showCustomer(id) {
  const c = await api(`/api/customers/${encodeURIComponent(id)}`);
  const fields = Object.keys(c.values).filter((f) => c.values[f]);
  $('#customer-detail').replaceChildren(
    h('h3', {}, `Customer ${c.id} (${c.status})`),
    h('table', {}, h('tbody', {}, ...fields.map((f) => h('tr', {}, h('th', {}, f), h('td', {}, c.values[f]), h('td', { class: 'hint' }, c.provenance?.[f] ? `${c.provenance[f].source}:${c.provenance[f].key} (${c.provenance[f].rule})` : ''))))),
    h('h4', {}, `${c.records.length} source record(s)`),
    h('table', {}, h('tbody', {}, ...c.records.map((r) => h('tr', {}, h('td', {}, `${r.source}:${r.key}`), h('td', {}, r.location + (r.line ? `:${r.line}` : '')), h('td', {}, r.matchProbability ?? ''), h('td', {}, [r.values.full_name ?? r.values.given_name, r.values.family_name, r.values.email].filter(Boolean).join(' · ')))))),
  );
}

// Leaves of the runtime settings, by dotted path (lists shown as one value).
function settingRows(config, paths) {
  const rows = [];
  const walk = (v, p) => {
    if (v && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length) for (const [k, x] of Object.entries(v)) walk(x, `${p}.${k}`);
    else rows.push([p, Array.isArray(v) ? v.join(', ') : v === undefined ? '(default)' : typeof v === 'object' ? JSON.stringify(v) : String(v)]);
  };
  for (const p of paths) walk(p.split('.').reduce((o, k) => (o && typeof o === 'object' ? o[k] : undefined), config), p);
  return rows;
}

async function loadConfig() {
  const c = await api('/api/config');
  $('#config-file').textContent = c.file ? `${c.file} (version ${String(c.version).slice(0, 12)})` : 'started without a configuration file';
  fillTable($('#config-table'), settingRows(c.config, c.changeable));
}

// --- wiring --------------------------------------------------------------------------------
$('#login-form').addEventListener('submit', (ev) => {
  ev.preventDefault();
  void login($('#token').value.trim());
  $('#token').value = '';
});
$('#logout').addEventListener('click', logout);
$('#resync').addEventListener('click', () => void resync());
$('#search-form').addEventListener('submit', (ev) => void searchCustomers(ev).catch((err) => $('#customer-detail').replaceChildren(h('p', { class: 'error' }, err.message))));
for (const b of document.querySelectorAll('nav button')) b.addEventListener('click', () => void show(b.dataset.view));
const saved = sessionStorage.getItem(TOKEN_KEY);
if (saved) void login(saved);
