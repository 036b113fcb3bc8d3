// Drives GraphiQL in headless Chromium the way a person would, and prints
// what it saw as one JSON object on stdout; the Go test
// internal/app/graphiql_test.go starts the server, runs this and judges the
// report. It opens the page, runs the default tab's query, saves a
// screenshot, then opens an example from the Examples pane and runs that.
//
//   node test/graphiql.mjs URL CHROMIUM SCREENSHOT.png
//
// A step that fails ends the script with a non-zero status and the reason
// on stderr, after a screenshot of the page as it was.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { chromium } from 'playwright-core';

const [url, executablePath, screenshot] = process.argv.slice(2);
if (!url || !executablePath || !screenshot) {
  console.error('usage: node test/graphiql.mjs URL CHROMIUM SCREENSHOT.png');
  process.exit(2);
}

// Without these Chromium reaches for the network (updates, sync, field
// trials) and, on a machine without internet, hangs waiting for it.
const args = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

// Monaco draws only the lines in view, with non-breaking spaces.
const text = (locator) => locator.innerText().then((t) => t.replaceAll('\u00a0', ' '));

// step names what the script was doing, for the message if it fails.
const report = { step: 'launch', requests: [], failedRequests: [], consoleErrors: [], pageErrors: [], cspViolations: [] };
const started = Date.now();
const profile = await mkdtemp(path.join(os.tmpdir(), 'companygraph-chromium-'));
let context;
let page;
try {
  // A fresh profile each run, so no state of an earlier run (tabs kept in
  // localStorage, say) decides what the page shows.
  context = await chromium.launchPersistentContext(profile, {
    executablePath,
    headless: true,
    args,
    viewport: { width: 1440, height: 900 },
    timeout: 30_000,
  });
  context.setDefaultTimeout(15_000);
  context.on('request', (r) => report.requests.push(r.url()));
  context.on('requestfailed', (r) => report.failedRequests.push(`${r.url()}: ${r.failure()?.errorText}`));
  await context.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      console.error(`CSP violation: ${e.violatedDirective} ${e.blockedURI}`);
    });
  });
  page = context.pages()[0] ?? (await context.newPage());
  page.on('console', (m) => {
    if (m.type() === 'error') {
      (m.text().startsWith('CSP violation') ? report.cspViolations : report.consoleErrors).push(m.text());
    }
  });
  page.on('pageerror', (e) => report.pageErrors.push(String(e)));

  report.step = 'open the page';
  await page.goto(url, { waitUntil: 'load' });
  report.title = await page.title();
  const query = page.locator('.graphiql-query-editor .view-lines');
  await query.filter({ hasText: 'query' }).waitFor();
  report.query = await text(query);
  report.tabs = await page.locator('.graphiql-tab').allInnerTexts();
  report.examples = await page.locator('.cg-example-name').allInnerTexts();
  report.step = 'open the headers editor';
  // The variables and headers editors share a pane, folded at first; the
  // hidden one of the two is in the page too.
  await page.getByRole('button', { name: 'Headers', exact: true }).click();
  const headers = page.locator('.graphiql-editor-tool > :not(.hidden) .view-lines');
  await headers.filter({ hasText: 'Authorization' }).waitFor();
  report.headers = await text(headers);
  report.loadedMs = Date.now() - started;

  report.step = 'run the default query';
  const response = page.locator('.graphiql-response .view-lines');
  await page.locator('.graphiql-execute-button').click();
  await response.filter({ hasText: 'Hugo Barra' }).waitFor();
  report.response = await text(response);
  await page.screenshot({ path: screenshot });

  // The second example, one click away in the Examples pane.
  report.step = 'open and run an example';
  // GraphiQL names the tab once it has parsed the query; running before
  // then would send the previous tab's operation name.
  await page.locator('.cg-example').nth(1).click();
  await page.locator('.graphiql-tab', { hasText: 'XiaomiPartners' }).waitFor();
  report.tabsAfterExample = await page.locator('.graphiql-tab').allInnerTexts();
  await page.locator('.graphiql-execute-button').click();
  await response.filter({ hasText: 'Flipkart' }).waitFor();
  report.exampleResponse = await text(response);
  report.totalMs = Date.now() - started;
  report.step = 'done';
  console.log(JSON.stringify(report));
} catch (err) {
  if (page) {
    await page.screenshot({ path: screenshot }).catch(() => {});
  }
  console.error(`${report.step}: ${err.message}\nreport so far: ${JSON.stringify(report)}`);
  process.exitCode = 1;
} finally {
  await context?.close();
  await rm(profile, { recursive: true, force: true });
}
