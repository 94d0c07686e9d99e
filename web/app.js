// The macropipe page: runs, SQL, series and forecast views over the REST API
// under /api/v1. Plain DOM code without a framework; charts use uPlot.
'use strict';

const api = '/api/v1';
const $ = (id) => document.getElementById(id);

// ---- Shared helpers --------------------------------------------------------

async function request(path, options = {}) {
  const response = await fetch(api + path, options);
  const body = await response.json().catch(() => ({}));
  if (!response.ok) {
    throw new Error(body.detail || `${response.status} ${response.statusText}`);
  }
  return body;
}

function say(message, isError = false) {
  const status = $('status');
  status.textContent = message;
  status.className = isError ? 'error' : '';
}

// Runs an async action and shows its failure in the status line.
function guarded(action) {
  return (...args) => action(...args).catch((error) => say(error.message, true));
}

function element(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (name === 'onclick') node.addEventListener('click', value);
    else if (name === 'text') node.textContent = value;
    else node.setAttribute(name, value);
  }
  for (const child of children) node.append(child);
  return node;
}

function stateBadge(state) {
  return element('span', { class: 'state', 'data-state': state, text: state });
}

function formatCell(value) {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number' && !Number.isInteger(value)) return value.toPrecision(6);
  return String(value);
}

// Fills `table` with a header of `columns` and one row per entry of `rows`
// (arrays of cells, or nodes).
function fillTable(table, columns, rows) {
  table.replaceChildren();
  table.append(element('thead', {}, element('tr', {}, ...columns.map((c) => element('th', { scope: 'col', text: c })))));
  const body = element('tbody');
  for (const row of rows) {
    body.append(element('tr', {}, ...row.map((cell) => {
      if (cell instanceof Node) return element('td', {}, cell);
      return element('td', { class: typeof cell === 'number' ? 'num' : '', text: formatCell(cell) });
    })));
  }
  table.append(body);
}

function toSeconds(isoDate) { return Date.parse(isoDate.length === 10 ? isoDate + 'T00:00:00Z' : isoDate) / 1000; }

const palette = ['#00695c', '#c62828', '#1565c0', '#ef6c00', '#6a1b9a', '#2e7d32', '#ad1457', '#37474f'];

// Draws a line chart into `container`: `x` holds dates in seconds, each entry
// of `lines` is {label, values, color?, dash?}. `bands` pairs line indices
// (1-based, upper first) to fill between them.
function drawChart(container, x, lines, bands = []) {
  container.replaceChildren();
  if (typeof uPlot === 'undefined') {
    container.append(element('p', { class: 'error', text: 'The chart library is missing: run scripts/setup.sh and rebuild.' }));
    return;
  }
  const options = {
    width: Math.max(320, container.clientWidth || 800),
    height: 320,
    scales: { x: { time: true } },
    series: [{}, ...lines.map((line, i) => ({
      label: line.label, stroke: line.color || palette[i % palette.length], width: line.width || 1.5,
      dash: line.dash, spanGaps: true, points: { show: false },
    }))],
    bands: bands.map(([upper, lower]) => ({ series: [upper, lower], fill: 'rgba(0, 105, 92, 0.18)' })),
  };
  new uPlot(options, [x, ...lines.map((line) => line.values)], container);
}

// Aligns several {date: value} maps on the union of their dates.
function alignByDate(maps) {
  const dates = [...new Set(maps.flatMap((m) => [...m.keys()]))].sort();
  return { x: dates.map(toSeconds), columns: maps.map((m) => dates.map((d) => (m.has(d) ? m.get(d) : null))) };
}

// ---- Views and navigation ------------------------------------------------------

const views = ['runs', 'sql', 'series', 'forecast'];
const loaded = new Set();

function showView(name) {
  if (!views.includes(name)) name = 'runs';
  for (const view of views) {
    $('view-' + view).hidden = view !== name;
    $('tab-' + view).setAttribute('aria-selected', String(view === name));
    $('tab-' + view).tabIndex = view === name ? 0 : -1;
  }
  if (!loaded.has(name)) {
    loaded.add(name);
    ({ runs: initRuns, sql: initSql, series: initSeries, forecast: initForecast })[name]();
  }
}

function initTabs() {
  const tabs = views.map((view) => $('tab-' + view));
  tabs.forEach((tab, i) => {
    tab.addEventListener('click', () => { location.hash = tab.dataset.view; });
    tab.addEventListener('keydown', (event) => {
      const step = { ArrowRight: 1, ArrowLeft: -1 }[event.key];
      if (!step) return;
      const next = tabs[(i + step + tabs.length) % tabs.length];
      next.focus();
      location.hash = next.dataset.view;
    });
  });
  window.addEventListener('hashchange', () => showView(location.hash.slice(1)));
  showView(location.hash.slice(1));
}

// ---- Runs ---------------------------------------------------------------

const runs = { pipelines: [], gridKey: '', selectedRun: null, selectedTask: null, selectedTry: null, logOffset: 0, timer: null };

async function initRuns() {
  const body = await request('/pipelines');
  runs.pipelines = body.pipelines;
  $('pipeline').replaceChildren(...body.pipelines.map((p) => element('option', { text: p.pipeline_id })));
  $('trigger').disabled = body.pipelines.length === 0;
  $('pipeline').addEventListener('change', guarded(refreshRuns));
  $('grid-limit').addEventListener('change', guarded(refreshRuns));
  $('trigger').addEventListener('click', guarded(triggerRun));
  $('resume').addEventListener('click', guarded(resumeRun));
  $('grid').addEventListener('click', onGridClick);
  await refreshRuns();
  // Live updates: poll while the page is open; quick while a run is in progress.
  const poll = async () => {
    const busy = await refreshRuns().catch((error) => { say(error.message, true); return false; });
    runs.timer = setTimeout(poll, busy ? 1000 : 5000);
  };
  runs.timer = setTimeout(poll, 1000);
}

async function triggerRun() {
  const pipeline = $('pipeline').value;
  const body = await request(`/pipelines/${encodeURIComponent(pipeline)}/runs`, { method: 'POST' });
  say(`Triggered run ${body.run_id}`);
  runs.selectedRun = body.run_id;
  await refreshRuns();
}

async function resumeRun() {
  await request(`/runs/${encodeURIComponent(runs.selectedRun)}/resume`, { method: 'POST' });
  say(`Resumed run ${runs.selectedRun}`);
  await refreshRuns();
}

// Redraws the grid and the selected run; returns true while a run is in progress.
async function refreshRuns() {
  const pipeline = $('pipeline').value;
  if (!pipeline) { $('grid').replaceChildren(element('caption', { text: 'No runs yet.' })); return false; }
  const grid = await request(`/pipelines/${encodeURIComponent(pipeline)}/grid?limit=${$('grid-limit').value}`);
  // Redraw only on a change, so that polling keeps the keyboard focus in the grid.
  const gridKey = JSON.stringify(grid) + runs.selectedRun;
  if (gridKey !== runs.gridKey) {
    runs.gridKey = gridKey;
    drawGrid(grid);
  }
  if (runs.selectedRun) await showRun(runs.selectedRun);
  return grid.runs.some((run) => run.state === 'running');
}

const htmlEscapes = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
function escapeHtml(text) { return String(text).replace(/[&<>"']/g, (c) => htmlEscapes[c]); }

// Airflow's grid: one column per run, oldest on the left, one row per task.
// With 100 runs of 200 tasks that is 20,000 buttons, so the table is written
// as one HTML string, and one listener on the table (initRuns) serves every
// button through its data-run and data-task attributes.
function drawGrid(grid) {
  const ordered = [...grid.runs].reverse();
  const head = ['<thead><tr><th scope="col">Task</th>'];
  for (const run of ordered) {
    const id = escapeHtml(run.run_id);
    const state = escapeHtml(run.state);
    head.push(`<th scope="col" class="run${run.run_id === runs.selectedRun ? ' selected' : ''}">` +
      `<button data-run="${id}" data-state="${state}" aria-label="Run ${id}: ${state}" title="${id}: ${state}">` +
      `${escapeHtml(run.logical_date.slice(0, 16))}</button></th>`);
  }
  head.push('</tr></thead>');
  const body = ['<tbody>'];
  for (const taskId of grid.task_ids) {
    const task = escapeHtml(taskId);
    body.push(`<tr><th scope="row">${task}</th>`);
    for (const run of ordered) {
      const state = escapeHtml(run.task_states[taskId] || 'none');
      const id = escapeHtml(run.run_id);
      body.push(`<td><button data-run="${id}" data-task="${task}" data-state="${state}" ` +
        `aria-label="Task ${task} of run ${id}: ${state}" title="${task}: ${state}"></button></td>`);
    }
    body.push('</tr>');
  }
  body.push('</tbody>');
  $('grid').innerHTML = head.join('') + body.join('');
}

// Opens the run or task of the grid button that was clicked.
function onGridClick(event) {
  const button = event.target.closest('button[data-run]');
  if (!button) return;
  const { run, task } = button.dataset;
  guarded(() => (task === undefined ? selectRun(run) : selectTask(run, task)))();
}

async function selectRun(runId) {
  runs.selectedRun = runId;
  runs.selectedTask = null;
  $('task-detail').hidden = true;
  await refreshRuns();
}

async function selectTask(runId, taskId) {
  runs.selectedRun = runId;
  runs.selectedTask = taskId;
  runs.selectedTry = null;
  await refreshRuns();
}

async function showRun(runId) {
  const run = await request(`/runs/${encodeURIComponent(runId)}`);
  const tasks = (await request(`/runs/${encodeURIComponent(runId)}/taskInstances?limit=10000`)).task_instances;
  $('run-detail').hidden = false;
  $('run-title').replaceChildren(`Run ${run.run_id} `, stateBadge(run.state));
  $('run-summary').textContent = run.summary;
  $('resume').disabled = run.state === 'running';
  const pipeline = runs.pipelines.find((p) => p.pipeline_id === run.pipeline_id);
  drawGraph(pipeline ? pipeline.tasks : tasks.map((t) => ({ task_id: t.task_id, upstream: [] })), tasks);
  drawGantt(tasks);
  fillTable($('tasks'), ['Task', 'State', 'Tries', 'Started', 'Duration (s)', 'Rows landed', 'Inserted', 'Revised', 'Error'],
    tasks.map((t) => [
      element('button', { text: t.task_id, 'aria-label': `Show tries of ${t.task_id}`, onclick: guarded(() => selectTask(run.run_id, t.task_id)) }),
      stateBadge(t.state), t.try_number, t.start_date || '', t.duration_ms === null ? '' : t.duration_ms / 1000,
      t.counts.rows_landed, t.counts.rows_inserted, t.counts.rows_revised, t.error]));
  if (runs.selectedTask) await showTask(run.run_id, runs.selectedTask);
}

// The DAG laid out in columns by depth; nodes coloured by state.
function drawGraph(specs, tasks) {
  const svg = $('graph');
  const states = new Map(tasks.map((t) => [t.task_id, t.state]));
  const depth = new Map();
  for (const spec of specs) depth.set(spec.task_id, Math.max(0, ...spec.upstream.map((u) => (depth.get(u) ?? 0) + 1)));
  const columns = new Map();
  const position = new Map();
  for (const spec of specs) {
    const d = depth.get(spec.task_id);
    const row = columns.get(d) || 0;
    columns.set(d, row + 1);
    position.set(spec.task_id, { x: 10 + d * 170, y: 10 + row * 34 });
  }
  const height = 20 + 34 * Math.max(1, ...columns.values());
  const width = 20 + 170 * Math.max(1, columns.size);
  svg.setAttribute('viewBox', `0 0 ${width} ${height}`);
  svg.style.height = Math.min(height, 480) + 'px';
  const ns = 'http://www.w3.org/2000/svg';
  const shapes = [];
  for (const spec of specs) {
    for (const upstream of spec.upstream) {
      const a = position.get(upstream), b = position.get(spec.task_id);
      if (!a || !b) continue;
      const line = document.createElementNS(ns, 'line');
      Object.entries({ x1: a.x + 140, y1: a.y + 12, x2: b.x, y2: b.y + 12, stroke: '#90a4ae' }).forEach(([k, v]) => line.setAttribute(k, v));
      shapes.push(line);
    }
  }
  for (const spec of specs) {
    const p = position.get(spec.task_id);
    const state = states.get(spec.task_id) || 'none';
    const group = document.createElementNS(ns, 'g');
    group.setAttribute('data-task', spec.task_id);
    const rect = document.createElementNS(ns, 'rect');
    Object.entries({ x: p.x, y: p.y, width: 140, height: 24, rx: 4, fill: `var(--${state})` }).forEach(([k, v]) => rect.setAttribute(k, v));
    const text = document.createElementNS(ns, 'text');
    Object.entries({ x: p.x + 6, y: p.y + 16, fill: state === 'none' || state === 'scheduled' ? '#212121' : 'white' }).forEach(([k, v]) => text.setAttribute(k, v));
    text.textContent = `${spec.task_id}`;
    const title = document.createElementNS(ns, 'title');
    title.textContent = `${spec.task_id}: ${state}`;
    group.append(rect, text, title);
    shapes.push(group);
  }
  svg.replaceChildren(...shapes);
}

// One bar per task from its latest try's start to its end (or now).
function drawGantt(tasks) {
  const svg = $('gantt');
  const started = tasks.filter((t) => t.start_date);
  const ns = 'http://www.w3.org/2000/svg';
  if (started.length === 0) { svg.replaceChildren(); svg.style.height = '30px'; return; }
  const now = Date.now();
  const start = Math.min(...started.map((t) => Date.parse(t.start_date)));
  const end = Math.max(...started.map((t) => (t.end_date ? Date.parse(t.end_date) : now)), start + 1);
  const width = 600, left = 150, row = 18;
  svg.setAttribute('viewBox', `0 0 ${width} ${row * started.length + 20}`);
  svg.style.height = Math.min(row * started.length + 20, 480) + 'px';
  const shapes = [];
  started.forEach((t, i) => {
    const from = Date.parse(t.start_date), to = t.end_date ? Date.parse(t.end_date) : now;
    const x = left + ((from - start) / (end - start)) * (width - left - 10);
    const w = Math.max(2, ((to - from) / (end - start)) * (width - left - 10));
    const label = document.createElementNS(ns, 'text');
    label.setAttribute('x', 4); label.setAttribute('y', 14 + i * row);
    label.textContent = t.task_id;
    const bar = document.createElementNS(ns, 'rect');
    Object.entries({ x, y: 4 + i * row, width: w, height: row - 6, fill: `var(--${t.state})` }).forEach(([k, v]) => bar.setAttribute(k, v));
    const title = document.createElementNS(ns, 'title');
    title.textContent = `${t.task_id}: ${(to - from) / 1000} s`;
    bar.append(title);
    shapes.push(label, bar);
  });
  const axis = document.createElementNS(ns, 'text');
  axis.setAttribute('x', width - 120); axis.setAttribute('y', row * started.length + 16);
  axis.textContent = `${((end - start) / 1000).toFixed(1)} s in all`;
  shapes.push(axis);
  svg.replaceChildren(...shapes);
}

async function showTask(runId, taskId) {
  const path = `/runs/${encodeURIComponent(runId)}/taskInstances/${encodeURIComponent(taskId)}`;
  const tries = (await request(path + '/tries')).tries;
  $('task-detail').hidden = false;
  $('tries-title').textContent = `Tries of ${taskId}`;
  fillTable($('tries'), ['Try', 'State', 'Started', 'Duration (s)', 'Error', 'Log'],
    tries.map((t) => [t.try_number, stateBadge(t.state), t.start_date, t.duration_ms === null ? '' : t.duration_ms / 1000, t.error,
      element('button', { text: 'Show log', 'aria-label': `Show the log of try ${t.try_number}`, onclick: guarded(() => showLog(runId, taskId, t.try_number, true)) })]));
  if (tries.length === 0) { $('log').textContent = 'This task has not started yet.'; return; }
  const chosen = runs.selectedTry ?? tries[tries.length - 1].try_number;
  await showLog(runId, taskId, chosen, runs.selectedTry !== chosen);
}

// Shows a try's log; later calls for the same try append what was written since.
async function showLog(runId, taskId, tryNumber, fromStart) {
  if (fromStart || runs.selectedTry !== tryNumber) { runs.logOffset = 0; $('log').textContent = ''; }
  runs.selectedTry = tryNumber;
  $('log-title').textContent = `Log of ${taskId}, try ${tryNumber}`;
  if (!fromStart && !$('log-follow').checked && runs.logOffset > 0) return;
  const path = `/runs/${encodeURIComponent(runId)}/taskInstances/${encodeURIComponent(taskId)}/tries/${tryNumber}/logs?offset=${runs.logOffset}`;
  const log = await request(path);
  $('log').textContent += log.content;
  runs.logOffset = log.next_offset;
  if ($('log-follow').checked) $('log').scrollTop = $('log').scrollHeight;
}

// ---- SQL ------------------------------------------------------------------

const sql = { text: '', offset: 0, result: null };

async function initSql() {
  const tables = (await request('/tables')).tables;
  $('tables').replaceChildren(...tables.map((t) => element('li', {},
    element('button', { text: t.name, title: t.columns.join(', '), 'aria-label': `Query ${t.type} ${t.name}`,
      onclick: () => { $('sql-text').value = `SELECT * FROM ${t.name}`; $('sql-text').focus(); } }),
    ' ', element('small', { text: t.type }))));
  $('sql-run').addEventListener('click', guarded(() => runSql(0)));
  $('sql-prev').addEventListener('click', guarded(() => runSql(Math.max(0, sql.offset - pageSize()))));
  $('sql-next').addEventListener('click', guarded(() => runSql(sql.offset + pageSize())));
  $('sql-page-size').addEventListener('change', guarded(() => runSql(0)));
  $('sql-csv').addEventListener('click', guarded(exportCsv));
  $('sql-x').addEventListener('change', drawSqlChart);
  $('sql-text').addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) { event.preventDefault(); guarded(() => runSql(0))(); }
  });
}

function pageSize() { return Number($('sql-page-size').value); }

async function runSql(offset) {
  if (offset === 0) sql.text = $('sql-text').value;
  const result = await request('/queries', { method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ sql: sql.text, limit: pageSize(), offset }) });
  sql.offset = offset;
  sql.result = result;
  fillTable($('sql-result'), result.columns, result.rows);
  $('sql-info').textContent = `Rows ${offset + 1} to ${offset + result.rows.length}` + (result.truncated ? ', more follow' : '') +
    ` (${result.elapsed_ms.toFixed(1)} ms)`;
  $('sql-prev').disabled = offset === 0;
  $('sql-next').disabled = !result.truncated;
  $('sql-csv').disabled = false;
  if (offset === 0) await prepareSqlChart();
}

// Offers a line chart when the result has a date column and numeric columns;
// the chart shows every row of the query up to the server's row limit.
async function prepareSqlChart() {
  const { columns, rows } = sql.result;
  const isDate = (v) => typeof v === 'string' && /^\d{4}-\d{2}-\d{2}/.test(v);
  const dateColumns = columns.filter((_, i) => rows.length > 0 && rows.every((r) => r[i] === null || isDate(r[i])));
  const numeric = columns.filter((_, i) => rows.length > 0 && rows.every((r) => r[i] === null || typeof r[i] === 'number'));
  $('sql-chart-controls').hidden = dateColumns.length === 0 || numeric.length === 0;
  $('sql-chart').replaceChildren();
  if ($('sql-chart-controls').hidden) return;
  $('sql-x').replaceChildren(...dateColumns.map((c) => element('option', { text: c })));
  $('sql-y').replaceChildren(...numeric.map((c, i) => {
    const box = element('input', { type: 'checkbox', value: c, id: `sql-y-${i}` });
    box.checked = i < 3;
    box.addEventListener('change', drawSqlChart);
    return element('label', {}, box, ` ${c}`);
  }));
  sql.all = await request('/queries', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ sql: sql.text }) });
  drawSqlChart();
}

function drawSqlChart() {
  const { columns, rows } = sql.all;
  const xIndex = columns.indexOf($('sql-x').value);
  const chosen = [...$('sql-y').querySelectorAll('input:checked')].map((box) => box.value);
  const maps = chosen.map((name) => {
    const i = columns.indexOf(name);
    return new Map(rows.filter((r) => r[xIndex] !== null).map((r) => [r[xIndex].slice(0, 10), r[i]]));
  });
  const aligned = alignByDate(maps);
  drawChart($('sql-chart'), aligned.x, chosen.map((name, i) => ({ label: name, values: aligned.columns[i] })));
}

function csvField(value) {
  const text = formatCell(value);
  return /[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

// Exports every row of the query, up to the server's row limit, as CSV.
async function exportCsv() {
  const result = await request('/queries', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ sql: sql.text }) });
  const lines = [result.columns.map(csvField).join(','), ...result.rows.map((r) => r.map((v) => (typeof v === 'number' ? String(v) : csvField(v))).join(','))];
  const link = element('a', { href: URL.createObjectURL(new Blob([lines.join('\n') + '\n'], { type: 'text/csv' })), download: 'query.csv' });
  link.click();
  say(result.truncated ? `Exported ${result.rows.length} rows; the server's row limit cut the rest` : `Exported ${result.rows.length} rows`);
}

// ---- Series ---------------------------------------------------------------

const series = { current: null };

async function initSeries() {
  $('series-search-form').addEventListener('submit', (event) => { event.preventDefault(); guarded(searchSeries)(); });
  await searchSeries();
}

async function searchSeries() {
  const found = await request(`/series?limit=200&search=${encodeURIComponent($('series-search').value)}`);
  $('series-results').replaceChildren(...found.series.map((s) => element('li', {},
    element('button', { 'aria-pressed': 'false', 'data-series': `${s.source}/${s.series_id}`, onclick: guarded(() => openSeries(s.source, s.series_id)) },
      element('strong', { text: s.series_id }), ` ${s.title} `, element('small', { text: s.source })))));
  say(`${found.total_entries} series found`);
}

async function openSeries(source, id) {
  const base = `/series/${encodeURIComponent(source)}/${encodeURIComponent(id)}`;
  series.current = { base, source, id };
  for (const button of $('series-results').querySelectorAll('button')) {
    button.setAttribute('aria-pressed', String(button.dataset.series === `${source}/${id}`));
  }
  const [meta, vintages, revisions] = await Promise.all([request(base), request(base + '/vintages?limit=10000'), request(base + '/revisions?limit=10000')]);
  $('series-detail').hidden = false;
  $('series-title').textContent = `${meta.series_id}: ${meta.title}`;
  const facts = { Source: meta.source, Units: meta.units, Frequency: meta.frequency, 'Seasonal adjustment': meta.seasonal_adjustment,
    'Transform code': meta.transform_code ?? '', 'Last updated': meta.last_updated };
  $('series-meta').replaceChildren(...Object.entries(facts).flatMap(([k, v]) => [element('dt', { text: k }), element('dd', { text: String(v) })]));
  const dates = vintages.rows.map((r) => r[0]);
  $('series-vintages').replaceChildren(...dates.map((date, i) => {
    const box = element('input', { type: 'checkbox', value: date, id: `vintage-${i}` });
    box.checked = i >= dates.length - 2;
    box.addEventListener('change', guarded(drawVintages));
    return element('label', {}, box, ` ${date} `);
  }));
  fillTable($('series-revisions'), revisions.columns, revisions.rows);
  fillTable($('series-loads'), meta.loads.columns, meta.loads.rows);
  await drawVintages();
}

// Overlays the series as known on each chosen vintage date.
async function drawVintages() {
  const chosen = [...$('series-vintages').querySelectorAll('input:checked')].map((box) => box.value);
  const results = await Promise.all(chosen.map((date) => request(`${series.current.base}/observations?limit=10000&as_of=${date}`)));
  const aligned = alignByDate(results.map((r) => new Map(r.rows.map((row) => [row[0], row[1]]))));
  drawChart($('series-chart'), aligned.x, chosen.map((date, i) => ({ label: `as of ${date}`, values: aligned.columns[i] })));
}

// ---- Forecast ---------------------------------------------------------------

async function initForecast() {
  const list = await request('/forecasts?limit=100');
  $('forecast-empty').hidden = list.forecasts.length > 0;
  $('forecast-select').replaceChildren(...list.forecasts.map((f) => element('option', { value: f.run_id,
    text: `${f.run_id}: ${f.target_id} by ${f.model}, data of ${f.data_vintage}` })));
  $('forecast-select').addEventListener('change', guarded(() => showForecast($('forecast-select').value)));
  if (list.forecasts.length > 0) await showForecast(list.forecasts[0].run_id);
  await showBacktest();
}

async function showForecast(runId) {
  const f = await request(`/forecasts/${runId}`);
  $('forecast-detail').hidden = false;
  $('forecast-title').textContent = `${f.target_id}: ${f.model} forecast from ${f.origin_month}`;
  const actuals = new Map(f.actuals.map((a) => [a.date, a.value]));
  const quantile = (key) => new Map(f.quantiles.map((q) => [q.target_month, q[key]]));
  const aligned = alignByDate([quantile('p90'), quantile('p10'), quantile('p50'), actuals]);
  drawChart($('forecast-chart'), aligned.x, [
    { label: 'P90', values: aligned.columns[0], color: '#80cbc4' },
    { label: 'P10', values: aligned.columns[1], color: '#80cbc4' },
    { label: 'P50', values: aligned.columns[2], color: '#00695c', width: 2 },
    { label: 'Actual', values: aligned.columns[3], color: '#212121' },
  ], [[1, 2]]);
  fillTable($('forecast-accumulated'), ['Months', 'Accumulated'], f.accumulated.map((a) => [a.months, a.value]));
  const top = f.importances.slice(0, 10);
  const largest = Math.max(...top.map((i) => i.weight), 1e-12);
  fillTable($('forecast-importances'), ['Input', 'Stage', 'Weight', ''], top.map((i) => [i.input, i.stage, i.weight,
    element('span', { class: 'bar', style: `width: ${Math.round((i.weight / largest) * 120)}px`, 'aria-hidden': 'true' })]));
}

// Shows the latest stored backtest: per evaluation window, a table of RMSE
// ratios to the random walk with a row per model and a column per horizon.
async function showBacktest() {
  const list = await request('/backtests?limit=1');
  if (list.backtests.length === 0) {
    $('forecast-backtest-note').textContent = 'No backtest is stored yet; run macropipe backtest.';
    $('forecast-backtest-tables').replaceChildren();
    return;
  }
  const b = await request(`/backtests/${list.backtests[0].run_id}`);
  $('forecast-backtest-note').textContent = `Backtest ${b.run_id} of ${b.target_id} from ${b.source} ` +
    `(data ${b.data_vintage || 'latest'}, panel ${b.panel_first.slice(0, 7)} to ${b.panel_last.slice(0, 7)}), stored ${b.created_at}. ` +
    'Lower is better; the lowest ratio of each horizon is in bold.';
  const windows = new Map();
  for (const score of b.scores) windows.set(score.window, [...(windows.get(score.window) || []), score]);
  $('forecast-backtest-tables').replaceChildren(...[...windows].map(([label, scores]) => ratioTable(label, scores)));
}

// One window's table in a scrollable region that the keyboard can reach.
function ratioTable(label, scores) {
  const horizons = [...new Set(scores.map((s) => s.horizon))];
  const models = [...new Set(scores.map((s) => s.model))];
  const ratio = new Map(scores.map((s) => [`${s.model} ${s.horizon}`, s.rmse_ratio]));
  const best = new Map(horizons.map((h) => [h, Math.min(...models.map((m) => ratio.get(`${m} ${h}`) ?? Infinity))]));
  const cell = (model, horizon) => {
    const value = ratio.get(`${model} ${horizon}`);
    if (value === null || value === undefined) return element('td', { class: 'num', text: '-' });
    const text = value.toFixed(3);
    if (value !== best.get(horizon)) return element('td', { class: 'num', text });
    return element('td', { class: 'num best', 'aria-label': `${text}, lowest`, text });
  };
  const first = scores[0];
  const caption = `${label}: targets ${first.window_first.slice(0, 7)} to ${first.window_last.slice(0, 7)} ` +
    `(${first.targets} months), rolling estimation window of ${first.estimation_months} months`;
  const table = element('table', { class: 'ratios', 'data-window': label }, element('caption', { text: caption }),
    element('thead', {}, element('tr', {}, element('th', { scope: 'col', text: 'Model' }),
      ...horizons.map((h) => element('th', { scope: 'col', text: h })))),
    element('tbody', {}, ...models.map((m) => element('tr', {}, element('th', { scope: 'row', text: m }),
      ...horizons.map((h) => cell(m, h))))));
  return element('div', { class: 'scroll', tabindex: '0', role: 'region', 'aria-label': `Backtest ratios, window ${label}` }, table);
}

// The server stored a token given as ?token=... in a cookie; keep it out of
// the address bar and the history.
if (new URLSearchParams(location.search).has('token')) history.replaceState(null, '', '/' + location.hash);
initTabs();
