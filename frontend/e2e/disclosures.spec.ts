// 5.1: the administrator's disclosure register: when, which complaint, why, who, to whom;
// never what was disclosed.
import { expect, test } from '@playwright/test';
import { checkScreen, goInApp, signIn } from './support';

test('the administrator reads the disclosure register, which shows no content', async ({ page }) => {
  await signIn(page, 'admin');
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Disclosures' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Disclosure register' })).toBeVisible();
  const register = page.getByRole('table', { name: /^Disclosures/ });
  // The demo CRC handed its recommendations to the table officers (4.3.1(viii)).
  const row = register.getByRole('row').filter({ hasText: 'Corrective action' }).first();
  await expect(row).toContainText(/C-[A-Z0-9]+/);
  await expect(row).toContainText(/table officer officer-/);
  await expect(row).toContainText(/\w{3}, \w{3}\.? \d{1,2}, \d{4}/); // a Winnipeg date with its weekday
  const text = (await page.locator('main').textContent()) ?? '';
  for (const content of ['A written apology to the member.', 'Respectful conduct training.', 'Corrective action by the table officers (5.1).']) {
    expect(text, 'the register shows what was disclosed').not.toContain(content);
  }
  await checkScreen(page, 'admin-disclosures');
});

test('the register is for administrators only', async ({ page }) => {
  await signIn(page, 'ombuds-aff');
  await expect(page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Disclosures' })).toHaveCount(0);
  await goInApp(page, '/admin/disclosures');
  await expect(page.getByRole('heading', { level: 1, name: 'Not available for your role' })).toBeVisible();
});
