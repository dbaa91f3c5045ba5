// 6: the Executive's users see the policy review deadline and record a review held.
import { expect, test } from '@playwright/test';
import { checkScreen, personFor } from './support';
import { today } from './pages';

test('a table officer records a policy review held; an administrator sees it', async ({ browser }) => {
  const officer = await personFor(browser, 'officer-treasurer');
  await officer.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Policy review' }).click();
  await expect(officer.getByRole('heading', { level: 1, name: 'Policy review' })).toBeVisible();
  const section = officer.getByRole('region', { name: 'Policy review (6)' });
  await expect(section).toContainText('Policy review (6):');
  await checkScreen(officer, 'officer-policy-review');
  await section.getByRole('button', { name: 'Record a policy review held' }).click();
  const form = section.getByRole('form', { name: 'Record a policy review held' });
  await form.getByLabel('Held on').fill(today());
  await form.getByLabel('Note').fill('The Executive reviewed the policy: no change.');
  await checkScreen(officer, 'officer-policy-review-form');
  await form.getByRole('button', { name: 'Record the review' }).click();
  await expect(form).toBeHidden();
  await expect(section).toContainText('The Executive reviewed the policy: no change.');

  // 6: the report for the period the review looked back on, one click from it.
  await section.getByRole('link', { name: /^Report for this review period/ }).first().click();
  await expect(officer.getByRole('heading', { level: 1, name: 'Statistics for the policy review (6)' })).toBeVisible();
  await expect(officer).toHaveURL(new RegExp(`/statistics\\?from=\\d{4}-\\d{2}-\\d{2}&to=${today()}$`));
  const period = officer.getByRole('form', { name: 'Period' });
  await expect(period.getByLabel('To')).toHaveValue(today());
  await expect(officer.getByRole('heading', { level: 2, name: /^Complaints closed from / })).toBeVisible();

  const admin = await personFor(browser, 'admin');
  await admin.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Policy review' }).click();
  await expect(admin.getByRole('region', { name: 'Policy review (6)' })).toContainText('The Executive reviewed the policy: no change.');
  await checkScreen(admin, 'admin-policy-review');
});
