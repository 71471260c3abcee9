// Loads a greenroute report in headless Chromium (the Debian package, driven
// by playwright-core: no browser is downloaded) and reports, as one JSON line
// on stdout, everything that went wrong: console messages of level warning or
// error (Content-Security-Policy refusals among them), uncaught exceptions,
// requests other than the page itself, failed requests, and whether the page
// overflows a phone-width viewport. Takes a full-page screenshot and prints
// the page to PDF. Run by tests/report/report_chromium_test.cc:
//
//   node check_report.mjs CHROMIUM REPORT_HTML SCREENSHOT_PNG PRINT_PDF
//
// Exit status: 0 when the check ran (the test judges the findings), 1 when it
// could not run (the message says why).
import { chromium } from 'playwright-core';
import { pathToFileURL } from 'node:url';

const [executablePath, page_path, screenshot, pdf] = process.argv.slice(2);
if (!pdf) {
  console.error('usage: node check_report.mjs CHROMIUM REPORT_HTML SCREENSHOT_PNG PRINT_PDF');
  process.exit(1);
}
const url = pathToFileURL(page_path).href;
const found = { console: [], page_errors: [], requests: [], failed_requests: [] };

let browser;
try {
  browser = await chromium.launch({ executablePath, args: ['--no-sandbox'], timeout: 60000 });
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') found.console.push(`${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => found.page_errors.push(String(e)));
  page.on('request', (r) => found.requests.push(r.url()));
  page.on('requestfailed', (r) => found.failed_requests.push(`${r.url()}: ${r.failure()?.errorText}`));
  const response = await page.goto(url, { waitUntil: 'load', timeout: 60000 });
  found.loaded = response !== null && response.ok();
  found.page_url = url;
  found.title = await page.title();
  found.svg_count = await page.locator('svg').count();
  found.sections = await page.locator('section').count();
  found.height = await page.evaluate(() => document.documentElement.scrollHeight);
  await page.screenshot({ path: screenshot, fullPage: true });
  await page.emulateMedia({ media: 'print' });
  await page.pdf({ path: pdf, format: 'A4', printBackground: true });
  await page.emulateMedia({ media: 'screen' });
  // Readable on a phone: nothing wider than the viewport but the tables'
  // own scrolling wrappers.
  await page.setViewportSize({ width: 390, height: 844 });
  found.narrow_overflow_px = await page.evaluate(
      () => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  console.log(JSON.stringify(found));
} catch (e) {
  console.error(`check_report.mjs: ${e.message ?? e}`);
  process.exitCode = 1;
} finally {
  if (browser) await browser.close();
}
