import { expect, test } from '@playwright/test';
import { PASSWORD, checkScreen, signIn } from './support';

const HOMES: [string, string, string][] = [
  ['admin', '/admin/users', 'Users and roles'],
  ['ombuds-u1', '/complaints', 'Your complaints and CRCs'],
  ['ombuds-aff', '/complaints', 'Your complaints and CRCs'],
  ['officer-president', '/status', 'Status board'],
  ['officer-secretary', '/status', 'Status board'],
  ['officer-treasurer', '/status', 'Status board'],
  ['staff-sao', '/complaints', 'Your complaints and CRCs'],
];

test('the sign-in screen is accessible', async ({ page }) => {
  await page.goto('/');
  await expect(page).toHaveURL(/\/sign-in/);
  await checkScreen(page, 'sign-in');
});

for (const [username, home, heading] of HOMES) {
  test(`${username} signs in to their own screen and signs out`, async ({ page }) => {
    await signIn(page, username);
    await expect(page).toHaveURL(new RegExp(`${home}$`));
    await expect(page.getByRole('heading', { level: 1, name: heading })).toBeVisible();
    await page.getByRole('button', { name: 'Sign out' }).click();
    await expect(page).toHaveURL(/\/sign-in$/);
    await page.goto(home);
    await expect(page).toHaveURL(/\/sign-in\?next=/);
  });
}

test('a wrong password is refused with a message, and nothing is kept', async ({ page }) => {
  await page.goto('/sign-in');
  await page.getByLabel('Username').fill('admin');
  await page.getByLabel('Password').fill('not-the-password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('alert')).toContainText('Incorrect username or password');
  await expect(page.getByLabel('Password')).toHaveValue('');
  await checkScreen(page, 'sign-in-refused');
});

test('the token is never stored in localStorage or sessionStorage', async ({ page }) => {
  await signIn(page, 'ombuds-u1');
  const stored = await page.evaluate(() => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }));
  expect(stored).toBe('{}{}');
  // A reload forgets the session: the token lived in memory only.
  await page.reload();
  await expect(page).toHaveURL(/\/sign-in\?next=%2Fcomplaints/);
});

test('when the session ends, sign-in leads back to where the user was', async ({ page, request }) => {
  let bearer = '';
  page.on('request', (r) => {
    const auth = r.headers()['authorization'];
    if (auth) bearer = auth;
  });
  await signIn(page, 'admin');
  await page.getByRole('link', { name: 'Roster' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Ombudsperson roster' })).toBeVisible();
  // The server ends this very session (as idle expiry would): the next call is a 401.
  expect(bearer).toMatch(/^Bearer /);
  expect((await request.post('/api/auth/logout', { headers: { Authorization: bearer } })).status()).toBe(204);
  await page.getByRole('link', { name: 'Units' }).click();
  await expect(page).toHaveURL(/\/sign-in\?next=%2Fadmin%2Funits/);
  await expect(page.getByText('Your session has ended')).toBeVisible();
  await page.getByLabel('Username').fill('admin');
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/admin\/units$/);
  await expect(page.getByRole('heading', { level: 1, name: 'Units' })).toBeVisible();
});
