// Starts a real Ombuds backend for the browser tests: a fresh SQLite database in a
// temporary folder, migrated and seeded with the demo Local, serving the built SPA on
// 127.0.0.1:$OMBUDS_E2E_PORT. Stops the server and removes the folder when told to stop.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const ombuds = join(repo, '.venv', 'bin', 'ombuds');
const port = process.env.OMBUDS_E2E_PORT;
if (!port) throw new Error('OMBUDS_E2E_PORT is not set');
if (!existsSync(ombuds)) throw new Error(`${ombuds} is missing: run make install first`);
if (!existsSync(join(repo, 'frontend', 'dist', 'index.html'))) throw new Error('frontend/dist is missing: run npm run build');

const dir = mkdtempSync(join(tmpdir(), 'ombuds-e2e-'));
const env = {
  ...process.env,
  OMBUDS_ENV: 'development',
  OMBUDS_DATABASE_URL: `sqlite+aiosqlite:///${join(dir, 'e2e.sqlite3')}`,
  // Sign-in many times over without the production password cost.
  OMBUDS_ARGON2_TIME_COST: '1',
  OMBUDS_ARGON2_MEMORY_KIB: '8192',
  // What a screen shows stays as the demo left it while a test reads it: the reminders'
  // scan and the mailing (tested in tests/notifications) do not run beside the browser.
  OMBUDS_NOTIFICATIONS_POLL_SECONDS: '0',
  OMBUDS_MAIL_DIR: join(dir, 'mail'),
};
for (const step of [['migrate'], ['seed-demo']]) {
  const r = spawnSync(ombuds, step, { env, stdio: ['ignore', 'ignore', 'inherit'] });
  if (r.status !== 0) throw new Error(`ombuds ${step.join(' ')} failed`);
}
const server = spawn(ombuds, ['serve', '--host', '127.0.0.1', '--port', port], { env, stdio: 'inherit' });
let stopping = false;
function stop() {
  if (stopping) return;
  stopping = true;
  server.kill('SIGTERM');
}
server.on('exit', (code) => {
  rmSync(dir, { recursive: true, force: true });
  process.exit(stopping ? 0 : (code ?? 1));
});
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, stop);
