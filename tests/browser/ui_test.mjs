// Browser test of the page that `macropipe serve` serves, in headless
// Chromium driven by playwright-core. It makes a data directory with a real
// run against the replay server, serves it, then works through every view
// and saves a screenshot of each into the artefacts folder. With
// `--forecasting 1` (a build with LibTorch) the runs' last task stores the
// forecast the page shows; otherwise macropipe-store-forecast stores a
// fixture forecast through Warehouse::StoreForecast. The backtest whose
// ratios the forecast view shows comes from a real `macropipe backtest` of
// the cheap models on the loaded FRED-MD file, which takes about a second.
//
//   node ui_test.mjs --macropipe BIN --replay BIN --store-forecast BIN --forecasting 0|1 \
//       --fixtures DIR --artifacts DIR [--chromium PATH]
//
// Exits 77 (ctest's skip code) with a message when Chromium or
// playwright-core is missing, 1 on a failed check, 0 when every check passes.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import process from 'node:process';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const args = Object.fromEntries(
  process.argv.slice(2).reduce((pairs, value, i, all) => (i % 2 === 0 ? [...pairs, [value.replace(/^--/, ''), all[i + 1]]] : pairs), []));
const chromiumPath = args.chromium || '/usr/bin/chromium';
const children = [];

function skip(message) {
  console.log(`SKIPPED: ${message}`);
  process.exit(77);
}

function loadPlaywright() {
  const require = createRequire(path.join(here, '..', '..', 'web', 'package.json'));
  try {
    return require('playwright-core');
  } catch {
    return skip('playwright-core is not installed in web/node_modules; run scripts/setup.sh');
  }
}

// Starts a program and resolves with the first stdout line matching `pattern`.
function start(program, argv, pattern, name) {
  const child = spawn(program, argv, { stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  return new Promise((resolve, reject) => {
    const lines = readline.createInterface({ input: child.stdout });
    const timer = setTimeout(() => reject(new Error(`${name} printed no line matching ${pattern} within 20 s`)), 20000);
    lines.on('line', (line) => {
      console.log(`${name}: ${line}`);
      const match = line.match(pattern);
      if (match) { clearTimeout(timer); resolve(match); }
    });
    child.on('exit', (code) => reject(new Error(`${name} exited with status ${code} before it was ready`)));
  });
}

function run(program, argv) {
  return new Promise((resolve) => {
    const child = spawn(program, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => { output += d; });
    child.stderr.on('data', (d) => { output += d; });
    child.on('exit', (code) => resolve({ code, output }));
  });
}

// Recordings for the replay server: two FRED-MD vintages, a longer FRED-MD
// file with CPIAUCSL to forecast, and nothing for the source `missing`,
// whose requests get 404 and whose task fails.
function writeRecordings(dir) {
  fs.mkdirSync(dir, { recursive: true });
  const files = { '/fredmd/1959-05.csv': 'fredmd/1959-05.csv', '/fredmd/1959-06.csv': 'fredmd/1959-06.csv',
    '/fredmd/2007-12.csv': 'forecast/fredmd-2007-12.csv' };
  const recordings = Object.entries(files).map(([uri, fixture]) => {
    const name = path.basename(fixture);
    fs.copyFileSync(path.join(args.fixtures, fixture), path.join(dir, name));
    return { request: { method: 'GET', uri }, response: { status: 200, headers: { 'Content-Type': 'text/csv' }, body_file: name } };
  });
  fs.writeFileSync(path.join(dir, 'replay.json'), JSON.stringify({ recordings }));
}

// A [forecast] table with a TFT small enough to fit in seconds; a build
// without forecasting leaves the forecast task out with a warning.
const tinyForecast = ['[forecast]', 'source = "fred-md"', 'target = "CPIAUCSL"', 'seed = 3', 'encoder_length = 6',
  'hidden_size = 4', 'attention_heads = 1', 'max_epochs = 2', 'ensemble_size = 1', 'threads = 1', ''];

function writeConfig(file, replayUrl, vintage) {
  fs.writeFileSync(file, [
    '[[sources]]', 'type = "fred-md"', 'name = "fredmd"', `url = "${replayUrl}/fredmd/${vintage}.csv"`, '',
    '[[sources]]', 'type = "fred-md"', 'name = "missing"', `url = "${replayUrl}/fredmd/2099-01.csv"`, '',
    '[[sources]]', 'type = "fred-md"', 'name = "fred-md"', `url = "${replayUrl}/fredmd/2007-12.csv"`, 'vintage = "2008-01"', '',
    ...tinyForecast].join('\n'));
}

let failures = 0;
function check(condition, message) {
  console.log(`${condition ? 'ok' : 'FAILED'}: ${message}`);
  if (!condition) failures += 1;
}

async function main() {
  if (!fs.existsSync(chromiumPath)) skip(`Chromium is not installed at ${chromiumPath}; install Debian's chromium package (scripts/setup.sh does)`);
  const { chromium } = loadPlaywright();
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'macropipe-ui-'));
  const artifacts = args.artifacts;
  fs.mkdirSync(artifacts, { recursive: true });
  const dataDir = path.join(scratch, 'data');

  writeRecordings(path.join(scratch, 'recordings'));
  const replay = await start(args.replay, [path.join(scratch, 'recordings'), '--port', '0'], /^listening on .*:(\d+)$/, 'replay');
  const replayUrl = `http://127.0.0.1:${replay[1]}`;

  // The first vintage comes from a real `macropipe run`; the second from a
  // run that the test triggers in the page.
  const first = path.join(scratch, 'first.toml');
  writeConfig(first, replayUrl, '1959-05');
  const initial = await run(args.macropipe, ['--data-dir', dataDir, '--config', first, 'run']);
  check(initial.output.includes('objects loaded'), `macropipe run loaded the first vintage (exit ${initial.code})`);
  const forecasting = args.forecasting === '1';
  // With forecasting the run's forecast task stored the forecast that the view checks below.
  if (!forecasting) {
    check(initial.output.includes('this build has no forecasting'), 'the run says this build cannot forecast');
    const stored = await run(args['store-forecast'], [dataDir, path.join(args.fixtures, 'forecast', 'stored-forecast.json')]);
    check(stored.code === 0, `macropipe-store-forecast stored the fixture forecast: ${stored.output.trim()}`);
  }
  const backtest = await run(args.macropipe, ['--data-dir', dataDir, 'backtest', '--models', 'rw,ao12,ar4',
    '--windows', '2005-01:2006-06,2006-07:end', '--window-months', '36', '--threads', '1']);
  check(backtest.code === 0 && backtest.output.includes('stored as backtest run 1'),
    `macropipe backtest stored its scores (exit ${backtest.code})`);
  const second = path.join(scratch, 'second.toml');
  writeConfig(second, replayUrl, '1959-06');
  const served = await start(args.macropipe, ['--data-dir', dataDir, '--config', second, 'serve', '--listen', '127.0.0.1:0'],
    /on (http:\/\/127\.0\.0\.1:\d+\/)$/, 'serve');
  const baseUrl = served[1];

  const browser = await chromium.launch({ executablePath: chromiumPath, headless: true, args: ['--no-sandbox'] });
  const page = await browser.newPage({ viewport: { width: 1366, height: 900 } });
  page.on('pageerror', (error) => check(false, `no script error in the page: ${error.message}`));
  const shoot = (name) => page.screenshot({ path: path.join(artifacts, `${name}.png`), fullPage: true });

  try {
    // Runs: trigger a run of the DAG that `macropipe run` runs and watch its tasks turn to success.
    await page.goto(baseUrl + '#runs');
    await page.getByRole('button', { name: 'Trigger run' }).click();
    const succeeded = (task) => page.locator(`#grid button[aria-label^="Task ${task} of run manual__"][data-state=success]`).last();
    await succeeded('ingest.fredmd').waitFor({ timeout: 20000 });
    await succeeded('ingest.fred-md').waitFor({ timeout: 20000 });
    await succeeded('load').waitFor({ timeout: 20000 });
    check(true, 'the triggered run\'s ingest and load tasks turned to success');
    if (forecasting) {
      await succeeded('forecast').waitFor({ timeout: 60000 });
      check(true, 'the triggered run\'s forecast task turned to success');
    }
    const taskRows = await page.locator('#grid tbody th').allTextContents();
    const expectedTasks = ['ingest.fred-md', 'ingest.fredmd', 'ingest.missing', 'load', ...(forecasting ? ['forecast'] : [])];
    check(expectedTasks.every((task) => taskRows.includes(task)), `the grid has the pipeline's tasks (${taskRows.join(', ')})`);
    await page.locator('#graph g[data-task=load] title').filter({ hasText: 'success' }).waitFor({ state: 'attached' });
    await shoot('runs');

    // The failed task's log names the failure.
    await page.locator('#grid button[aria-label^="Task ingest.missing of run manual__"][data-state=failed]').last().click();
    await page.locator('#log').filter({ hasText: /404|not found|failed/i }).waitFor({ timeout: 10000 });
    check((await page.locator('#log').textContent()).length > 0, 'the failed task\'s log is shown');
    await shoot('run-log');

    // SQL: a query with a date column draws a chart; the result pages.
    await page.getByRole('tab', { name: 'SQL' }).click();
    await page.getByLabel(/SQL query/).fill("SELECT date, value FROM latest_observations WHERE series_id = 'RPI' ORDER BY date");
    await page.getByRole('button', { name: 'Run query' }).click();
    await page.locator('#sql-chart .uplot canvas').waitFor({ timeout: 10000 });
    check(await page.locator('#sql-result tbody tr').count() > 0, 'the SQL result has rows');
    await shoot('sql');

    // Series: open one and overlay its two vintages.
    await page.getByRole('tab', { name: 'Series' }).click();
    await page.getByLabel('Search series').fill('RPI');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.locator('#series-results button[data-series="fredmd/RPI"]').click();
    await page.locator('#series-chart .uplot canvas').waitFor({ timeout: 10000 });
    const checked = await page.locator('#series-vintages input:checked').count();
    check(checked === 2, `two vintages are overlaid (${checked} checked)`);
    const legend = await page.locator('#series-chart .u-legend').textContent();
    check(legend.includes('as of 1959-05-01') && legend.includes('as of 1959-06-01'), 'the chart legend names both vintages');
    await shoot('series');

    // Forecast: the stored forecast's fan chart, accumulated forecast and importances.
    await page.getByRole('tab', { name: 'Forecast' }).click();
    await page.locator('#forecast-chart .uplot canvas').waitFor({ timeout: 10000 });
    const title = await page.locator('#forecast-title').textContent();
    check(title.startsWith(`CPIAUCSL: ${forecasting ? 'tft' : 'fixture'} forecast from`), `the forecast title names the target and model (${title})`);
    const fanLegend = await page.locator('#forecast-chart .u-legend').textContent();
    check(['P10', 'P50', 'P90', 'Actual'].every((label) => fanLegend.includes(label)), 'the fan chart has the P10 to P90 band, P50 and actuals');
    const months = await page.locator('#forecast-accumulated tbody tr td:first-child').allTextContents();
    // The forecast job stores 3, 6 and 12 months; the fixture stores every month from 1 to 12.
    check(['3', '6', '12'].every((m) => months.includes(m)) && months[months.length - 1] === '12',
      `the accumulated forecast runs to 12 months (${months.join(' ')})`);
    const inputs = await page.locator('#forecast-importances tbody tr td:first-child').allTextContents();
    check(inputs.length > 0 && inputs.every((input) => input.length > 0), `the importances name their inputs (${inputs.join(', ')})`);
    await shoot('forecast');

    // The latest backtest's RMSE ratios: a table per window, a row per model, a column per horizon.
    const tables = page.locator('#forecast-backtest table.ratios');
    await tables.first().waitFor({ timeout: 10000 });
    const windows = await tables.evaluateAll((all) => all.map((table) => table.dataset.window));
    check(windows.join(',') === '2005-2006,2006-end', `a ratios table per backtest window (${windows.join(', ')})`);
    const stored = await (await page.request.get(`${baseUrl}api/v1/backtests/1`)).json();
    const horizons = [...Array.from({ length: 12 }, (_, i) => `h${i + 1}`), 'acc3', 'acc6', 'acc12'];
    for (const window of windows) {
      const table = page.locator(`#forecast-backtest table[data-window="${window}"]`);
      const columns = await table.locator('thead th').allTextContents();
      check(columns.join(' ') === ['Model', ...horizons].join(' '), `${window}: a column per horizon (${columns.join(' ')})`);
      const models = await table.locator('tbody th').allTextContents();
      check(models.join(',') === 'rw,ao12,ar4', `${window}: a row per model (${models.join(', ')})`);
      const cells = await table.locator('tbody tr').evaluateAll((rows) => rows.map((row) => [...row.querySelectorAll('td')].map((td) => td.textContent)));
      const ratios = models.map((model) => horizons.map((horizon) => stored.scores
        .find((score) => score.window === window && score.model === model && score.horizon === horizon).rmse_ratio));
      const expected = ratios.map((row) => row.map((ratio) => ratio.toFixed(3)));
      check(JSON.stringify(cells) === JSON.stringify(expected), `${window}: the cells are the stored RMSE ratios`);
      check(cells[0].every((cell) => cell === '1.000'), `${window}: the random walk's ratios are 1`);
      const best = await table.locator('tbody tr').evaluateAll((rows) => rows.map((row) => [...row.querySelectorAll('td')].map((td) => td.classList.contains('best'))));
      const lowest = horizons.every((_, column) => {
        const values = ratios.map((row) => row[column]);
        return values.every((value, row) => best[row][column] === (value === Math.min(...values)));
      });
      check(lowest, `${window}: the lowest ratio of each horizon is highlighted`);
    }
    const region = page.getByRole('region', { name: 'Backtest ratios, window 2005-2006' });
    await region.focus();
    check(await region.evaluate((node) => node === document.activeElement), 'the keyboard reaches the ratios table');
    await page.locator('#forecast-backtest').screenshot({ path: path.join(artifacts, 'forecast-backtest.png') });
  } catch (error) {
    check(false, error.message.split('\n')[0]);
    await shoot('failure').catch(() => {});
  } finally {
    await browser.close();
    for (const child of children) child.kill('SIGTERM');
    fs.rmSync(scratch, { recursive: true, force: true });
  }
  console.log(`${failures === 0 ? 'all checks passed' : `${failures} checks failed`}; screenshots in ${artifacts}`);
  process.exit(failures === 0 ? 0 : 1);
}

main().catch((error) => {
  console.error(error);
  for (const child of children) child.kill('SIGTERM');
  process.exit(1);
});
