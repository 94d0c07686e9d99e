// Times the runs view in headless Chromium: from navigation until the grid
// shows 25 runs of every task, then until it shows 100 after the "Runs shown"
// choice changes. Prints the median and slowest of REPEATS loads.
//
//   node bench/runs_view.mjs URL TASKS [REPEATS]
import { createRequire } from 'node:module';
import path from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const { chromium } = createRequire(path.join(here, '..', 'web', 'package.json'))('playwright-core');
const [url, tasksText, repeatsText = '5'] = process.argv.slice(2);
const tasks = Number(tasksText);

const gridShows = (runs) => document.querySelectorAll('#grid th.run').length === runs[0] &&
  document.querySelectorAll('#grid tbody tr').length === runs[1];

const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: ['--no-sandbox'] });
const timings = { load25: [], show100: [] };
for (let i = 0; i < Number(repeatsText); ++i) {
  const page = await browser.newPage({ viewport: { width: 1366, height: 900 } });
  let start = performance.now();
  await page.goto(url + '#runs');
  await page.waitForFunction(gridShows, [25, tasks], { timeout: 30000, polling: 10 });
  timings.load25.push(performance.now() - start);
  start = performance.now();
  await page.selectOption('#grid-limit', '100');
  await page.waitForFunction(gridShows, [100, tasks], { timeout: 30000, polling: 10 });
  timings.show100.push(performance.now() - start);
  await page.close();
}
await browser.close();
for (const [name, values] of Object.entries(timings)) {
  values.sort((a, b) => a - b);
  console.log(`${name}: median ${values[Math.floor(values.length / 2)].toFixed(0)} ms, slowest ${values[values.length - 1].toFixed(0)} ms`);
}
