// Drives Debian's headless Chromium through the explorer as a person would and prints what it saw
// as one JSON object; tests/test_explorer.py holds the expected values and asserts.
//
//   node tests/e2e/explorer.mjs '{"base": "http://127.0.0.1:PORT", "token": null, "out": "DIR", "plan": {...}}'
//
// Each scenario records its observations or its error, and saves a screenshot into `out`.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const { base, token, out, plan } = JSON.parse(process.argv[2]);
const WAIT = 15_000;
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync', '--lang=zh-CN'];

const profile = await mkdtemp(join(tmpdir(), 'explorer-chromium-'));
const browser = await chromium.launchPersistentContext(profile, {
  executablePath: '/usr/bin/chromium', args: ARGS, headless: true, viewport: { width: 1400, height: 900 },
  locale: 'zh-CN', timezoneId: 'Asia/Shanghai',
});
const seen = { requests: [], consoleErrors: [], pageErrors: [] };
browser.on('request', (request) => seen.requests.push(request.url()));
if (token) await browser.addInitScript((t) => sessionStorage.setItem('grassroots.token', t), token);
const page = browser.pages()[0] ?? (await browser.newPage());
page.setDefaultTimeout(WAIT);
page.on('console', (m) => m.type() === 'error' && seen.consoleErrors.push(m.text()));
page.on('pageerror', (e) => seen.pageErrors.push(String(e)));

const results = {};
const shot = async (name) => {
  await page.evaluate(() => document.fonts.ready);
  const path = join(out, `${name}.png`);
  await page.screenshot({ path });
  return path;
};
const captions = (view) => page.evaluate((v) => {
  const cy = window.explorer.views[v].graph.cy;
  return { nodes: cy.nodes().map((n) => n.data('caption')), edges: cy.edges().map((e) => e.data('type')),
    ended: cy.edges('.ended').map((e) => e.data('type')) };
}, view);
const texts = (selector) => page.locator(selector).allInnerTexts();

async function scenario(name, run) {
  const started = Date.now();
  try {
    results[name] = await run();
  } catch (error) {
    results[name] = { error: String(error?.stack ?? error) };
    await shot(`${name}-failed`).catch(() => {});
  }
  results[name].seconds = (Date.now() - started) / 1000;
}

async function pick(view, input, text) {
  await page.locator(`${view} input[name="${input}"]`).fill(text);
  await page.locator(`${view} input[name="${input}"]`).press('Enter');
  await page.locator(`${view} .hits button`, { hasText: text }).first().click();
}

try {
  await page.goto(`${base}/explore`);
  await page.waitForSelector('body.ready', { state: 'attached' });
  results.load = {
    title: await page.title(),
    fontLoads: await page.evaluate(async () => (await document.fonts.load('14px "Noto Sans SC"', '德雅村社区')).length),
  };

  await scenario('neighbourhood', async () => {
    const view = '#view-neighbourhood';
    await pick(view, 'neighbourhood-search', plan.search);
    await page.locator(`${view} .card h2`, { hasText: plan.search }).waitFor();
    await page.locator(`${view} .neighbours h3`).waitFor();
    const first = { graph: await captions('neighbourhood'), card: await page.locator(`${view} .card`).innerText(),
      neighbours: await texts(`${view} .neighbours li`) };
    const target = await page.evaluate((name) => {
      const cy = window.explorer.views.neighbourhood.graph.cy;
      const node = cy.nodes().filter((n) => n.data('caption') === name)[0];
      const box = cy.container().getBoundingClientRect();
      return node && { x: box.left + node.renderedPosition().x, y: box.top + node.renderedPosition().y };
    }, plan.expand);
    if (!target) throw new Error(`no node named ${plan.expand} drawn`);
    await page.mouse.click(target.x, target.y);
    await page.locator(`${view} .card h2`, { hasText: plan.expand }).waitFor();
    await page.locator(`${view} .neighbours h3`).waitFor();
    await page.locator(`${view} .status`, { hasText: '本次新增' }).waitFor();
    const expanded = { graph: await captions('neighbourhood'), card: await page.locator(`${view} .card`).innerText() };
    return { first, expanded, screenshot: await shot('neighbourhood') };
  });

  await scenario('person_card', async () => {
    const view = '#view-neighbourhood';
    await page.locator(`${view} .neighbours button`, { hasText: plan.person }).first().click();
    await page.locator(`${view} .card h2`, { hasText: plan.person }).waitFor();
    await page.locator(`${view} .card dl`).waitFor();
    return { card: await page.locator(`${view} .card`).innerText(), screenshot: await shot('person-card') };
  });

  await scenario('connection', async () => {
    const view = '#view-connection';
    await page.locator('nav a[data-view="connection"]').click();
    await pick(view, 'from-search', plan.from);
    await pick(view, 'to-search', plan.to);
    await page.locator(`${view} .path-steps .summary`).waitFor();
    return { summary: await page.locator(`${view} .summary`).innerText(), steps: await texts(`${view} .path-steps li`),
      endedSteps: await page.locator(`${view} .path-steps li.ended`).count(),
      graph: await captions('connection'), screenshot: await shot('connection') };
  });

  const matrixCells = () => page.evaluate(() => [...document.querySelectorAll('#view-matrix td.cell')].map((td) => ({
    home: td.dataset.home, residence: td.dataset.residence, persons: Number(td.innerText),
  })));

  await scenario('matrix', async () => {
    const view = '#view-matrix';
    await page.locator('nav a[data-view="matrix"]').click();
    await page.locator(`${view} input[name="matrix-scope"]`).fill(plan.scope);
    await page.locator(`${view} button[type="submit"]`).click();
    await page.locator(`${view} table.matrix`).waitFor();
    const cells = await matrixCells();
    const totals = await texts(`${view} tfoot td`);
    const rows = await texts(`${view} tbody th`);
    const [home, residence] = plan.cell;
    await page.locator(`${view} td.cell[data-home="${home}"][data-residence="${residence}"] button`).click();
    await page.locator(`${view} .person-list li`).first().waitFor();
    const persons = await texts(`${view} .person-list li`);
    const heading = await page.locator(`${view} .persons h3`).innerText();
    const screenshot = await shot('matrix');

    await page.locator('#as-of').fill(plan.asOf);
    await page.locator(`${view} .summary`, { hasText: `截至 ${plan.asOf}` }).waitFor();
    const past = await matrixCells();
    const pastShot = await shot('matrix-as-of');
    await page.locator('#as-of-today').click();
    await page.locator(`${view} .summary`, { hasText: '截至今天' }).waitFor();
    return { cells, totals, rows, persons, heading, past, screenshot, pastShot };
  });

  await scenario('coverage', async () => {
    const view = '#view-coverage';
    await page.locator('nav a[data-view="coverage"]').click();
    await page.locator(`${view} input[name="coverage-scope"]`).fill(plan.scope);
    await page.locator(`${view} button[type="submit"]`).click();
    await page.locator(`${view} table.coverage`).waitFor();
    const rows = await page.evaluate(() => [...document.querySelectorAll('#view-coverage table.coverage tbody tr')]
      .map((tr) => ({ code: tr.dataset.code, unpaired: tr.classList.contains('unpaired'), text: tr.innerText })));
    await page.locator(`${view} tr[data-code="${plan.community}"] button`).click();
    await page.locator(`${view} table.suggestions`).waitFor();
    return { summary: await page.locator(`${view} .summary`).innerText(), rows,
      detail: await page.locator(`${view} .detail`).innerText(),
      suggestions: await texts(`${view} table.suggestions tbody tr`), screenshot: await shot('coverage') };
  });

  await scenario('sign_in', async () => {
    // a fresh tab without a token: a 401 opens the sign-in box; pasting the token lets the search through
    const other = await browser.newPage();
    other.setDefaultTimeout(WAIT);
    await other.goto(`${base}/explore`);
    await other.waitForSelector('body.ready', { state: 'attached' });
    await other.evaluate(() => sessionStorage.clear());
    await other.locator('input[name="neighbourhood-search"]').fill(plan.search);
    await other.locator('input[name="neighbourhood-search"]').press('Enter');
    await other.locator('#view-neighbourhood .hits :is(button, .error)').first().waitFor();
    const asked = await other.locator('#sign-in').evaluate((d) => d.open);
    const result = { asked, message: await other.locator('#sign-in-message').innerText() };
    if (asked) {
      await other.screenshot({ path: join(out, 'sign-in.png') });
      await other.locator('#token').fill(token ?? '');
      await other.locator('#sign-in button[value="ok"]').click();
      await other.locator('input[name="neighbourhood-search"]').press('Enter');
      await other.locator('#view-neighbourhood .hits button', { hasText: plan.search }).first().waitFor();
      result.afterSignIn = await other.locator('#signed-in').innerText();
    }
    await other.close();
    return result;
  });

  results.requests = seen.requests;
  results.consoleErrors = seen.consoleErrors;
  results.pageErrors = seen.pageErrors;
  process.stdout.write(JSON.stringify(results));
} finally {
  await browser.close();
  await rm(profile, { recursive: true, force: true });
}
