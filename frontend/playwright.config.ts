// The browser tests: the built app, served by a real backend on a fresh database (started
// here by e2e/backend.mjs on a free loopback port), in Debian's Chromium.
import { defineConfig } from '@playwright/test';
import { execFileSync } from 'node:child_process';

function freePort(): string {
  const script =
    "const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{process.stdout.write(String(s.address().port));s.close()})";
  return execFileSync(process.execPath, ['-e', script]).toString().trim();
}

// Chosen once, in the runner; the workers inherit it through the environment.
process.env.OMBUDS_E2E_PORT ??= freePort();
const port = process.env.OMBUDS_E2E_PORT;
const chromium = process.env.OMBUDS_CHROMIUM ?? '/usr/bin/chromium';

export default defineConfig({
  testDir: 'e2e',
  outputDir: '../test-artifacts/playwright',
  fullyParallel: false,
  workers: 1,
  retries: process.env.CI ? 1 : 0, // one retry in CI, where the machine is shared; reported as flaky
  timeout: 180_000, // the whole-procedure test takes about a minute on two cores
  expect: { timeout: 10_000 },
  reporter: [['list']],
  use: {
    baseURL: `http://127.0.0.1:${port}`,
    screenshot: 'only-on-failure',
    trace: 'retain-on-failure',
    timezoneId: 'America/Winnipeg',
    locale: 'en-CA',
    launchOptions: {
      executablePath: chromium,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    },
  },
  projects: [{ name: 'chromium', use: { browserName: 'chromium' } }],
  webServer: {
    command: 'node e2e/backend.mjs',
    url: `http://127.0.0.1:${port}/api/health`,
    reuseExistingServer: false,
    timeout: 120_000,
    stdout: 'ignore',
    stderr: 'pipe',
  },
});
