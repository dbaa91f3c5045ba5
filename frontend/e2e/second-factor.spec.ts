// The TOTP second factor: set up from the account menu, then asked for at every sign-in.
import { expect, test, type APIRequestContext } from '@playwright/test';
import { PASSWORD, checkScreen } from './support';
import { totp } from './totp';

const USER = { username: 'second-factor-admin', display_name: 'Second Factor Administrator', password: 'a-long-enough-password' };

async function createUser(request: APIRequestContext) {
  const token = await request.post('/api/auth/token', { form: { username: 'admin', password: PASSWORD } });
  expect(token.status()).toBe(200);
  const { access_token } = (await token.json()) as { access_token: string };
  const created = await request.post('/api/users', {
    headers: { Authorization: `Bearer ${access_token}` },
    data: { ...USER, roles: ['administrator'] },
  });
  expect(created.status()).toBe(201);
}

/** A 6-digit code that is none of the codes the server would accept now. */
function wrongCode(secret: string): string {
  const valid = new Set([-1, 0, 1, 2].map((n) => totp(secret, n)));
  for (const c of ['000000', '111111', '222222']) if (!valid.has(c)) return c;
  throw new Error('unreachable');
}

test('a user sets up a second factor; signing in then needs the one-time code', async ({ page, request }) => {
  await createUser(request);
  await page.goto('/sign-in');
  await page.getByLabel('Username').fill(USER.username);
  await page.getByLabel('Password').fill(USER.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('button', { name: 'Sign out' })).toBeVisible();

  // Set up from the account menu: a key to add to the app, then a first code.
  await page.getByRole('link', { name: 'Second factor (not set up)' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Second factor' })).toBeVisible();
  await checkScreen(page, 'second-factor');
  await page.getByRole('button', { name: 'Set up a second factor' }).click();
  const form = page.getByRole('form', { name: 'Turn on the second factor' });
  await expect(form).toBeVisible();
  const secret = ((await page.locator('dl.secret code').textContent()) ?? '').replace(/\s+/g, '');
  expect(secret).toMatch(/^[A-Z2-7]{16,}$/);
  await expect(page.getByRole('link', { name: 'open this set-up link on the phone' })).toHaveAttribute('href', /^otpauth:\/\/totp\//);
  await form.getByLabel('One-time code').fill(wrongCode(secret));
  await form.getByRole('button', { name: 'Turn on the second factor' }).click();
  await expect(form.getByText('The code is wrong or was already used.')).toBeVisible();
  await checkScreen(page, 'second-factor-enrol');
  await form.getByLabel('One-time code').fill(totp(secret));
  await form.getByRole('button', { name: 'Turn on the second factor' }).click();
  await expect(page.getByText('Your second factor is on.')).toBeVisible();
  await expect(page.getByRole('link', { name: 'Second factor', exact: true })).toBeVisible();
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(/\/sign-in$/);

  // Signing in: the password alone is not enough; the code field keeps the rest as typed.
  await page.getByLabel('Username').fill(USER.username);
  await page.getByLabel('Password').fill(USER.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  const code = page.getByLabel('One-time code');
  await expect(code).toBeVisible();
  await expect(code).toBeFocused();
  await expect(code).toHaveAttribute('inputmode', 'numeric');
  await expect(code).toHaveAttribute('autocomplete', 'one-time-code');
  await expect(page.getByLabel('Username')).toHaveValue(USER.username);
  await expect(page.getByLabel('Password')).toHaveValue(USER.password);
  await checkScreen(page, 'sign-in-one-time-code');

  // A wrong code: its error sits next to the field, and is read out with it.
  await code.fill(wrongCode(secret));
  await page.getByRole('button', { name: 'Sign in' }).click();
  const error = page.locator('.field-error', { hasText: 'The code is wrong or was already used.' });
  await expect(error).toBeVisible();
  await expect(code).toHaveAttribute('aria-invalid', 'true');
  const errorId = await error.getAttribute('id');
  await expect(code).toHaveAttribute('aria-describedby', new RegExp(`${errorId}`));
  await expect(page.getByRole('button', { name: 'Sign out' })).toHaveCount(0);
  await checkScreen(page, 'sign-in-one-time-code-refused');

  // The right code (the next time step: the one used to set it up cannot serve twice).
  await code.fill(totp(secret, 1));
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('button', { name: 'Sign out' })).toBeVisible();
  await expect(page).toHaveURL(/\/admin\/users$/);
});
