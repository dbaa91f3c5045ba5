// Measures the first screen of the app in headless Chromium: for each run, a fresh
// browser context loads the URL and waits for the first heading. Prints JSON.
//   node scripts/first-render.mjs http://127.0.0.1:PORT/ 10
import { chromium } from '@playwright/test';

const [url, runsArg] = process.argv.slice(2);
const runs = Number(runsArg ?? 10);
const browser = await chromium.launch({
  executablePath: process.env.OMBUDS_CHROMIUM ?? '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const samples = [];
try {
  for (let i = 0; i < runs + 1; i++) {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(url, { waitUntil: 'commit' });
    await page.locator('h1').first().waitFor();
    const timing = await page.evaluate(() => {
      const paint = performance.getEntriesByName('first-contentful-paint')[0];
      const nav = performance.getEntriesByType('navigation')[0];
      return {
        heading_ms: performance.now(),
        fcp_ms: paint ? paint.startTime : null,
        dom_content_loaded_ms: nav ? nav.domContentLoadedEventEnd : null,
      };
    });
    if (i > 0) samples.push(timing); // the first run warms the server and the disk cache
    await context.close();
  }
} finally {
  await browser.close();
}
console.log(JSON.stringify({ url, runs, samples }));
