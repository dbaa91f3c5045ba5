// 6: a table officer reads the review's statistics for a period, small counts hidden, and
// downloads the same report as CSV and as PDF.
import { expect, test } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { checkScreen, personFor } from './support';
import { today } from './pages';

const IMPLEMENTED_ON = '2025-01-01'; // OMBUDS_POLICY_IMPLEMENTED_ON's default

test('a table officer reads the statistics with small counts hidden and downloads the CSV and the PDF', async ({ browser }) => {
  // The demo Local closed fifteen complaints in the past year: nine redirected, six
  // withdrawn; none formal.
  const officer = await personFor(browser, 'officer-secretary');
  await officer.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Statistics' }).click();
  await expect(officer.getByRole('heading', { level: 1, name: 'Statistics for the policy review (6)' })).toBeVisible();
  const period = officer.getByRole('form', { name: 'Period' });
  // The API's default period fills the form.
  await expect(period.getByLabel('To')).toHaveValue(/^\d{4}-\d{2}-\d{2}$/);
  await period.getByLabel('From').fill(IMPLEMENTED_ON);
  await period.getByLabel('To').fill(today());
  await period.getByRole('button', { name: 'Show the report' }).click();
  await expect(officer).toHaveURL(new RegExp(`/statistics\\?from=${IMPLEMENTED_ON}&to=${today()}$`));

  const classes = officer.getByRole('table', { name: 'Record class' });
  await expect(classes.getByRole('row').filter({ hasText: /^Formal/ })).toContainText('fewer than 5');
  await expect(classes.getByRole('row').filter({ hasText: 'Redirected' }).getByRole('cell')).toHaveText(/^\d+$/);
  await expect(officer.getByRole('region', { name: 'Why some counts are not shown' })).toContainText('no count under 5 is shown');
  await expect(officer.getByRole('region', { name: 'Deadline adherence' }).getByRole('table')).toHaveCount(3);
  await expect(officer.getByRole('table', { name: 'Median days between steps' })).toContainText('not shown (fewer than 5 complaints)');
  await checkScreen(officer, 'officer-statistics');

  const downloads = officer.getByRole('region', { name: 'Download this report' });
  const [csv] = await Promise.all([officer.waitForEvent('download'), downloads.getByRole('button', { name: 'Download the CSV' }).click()]);
  expect(csv.suggestedFilename()).toMatch(/\.csv$/);
  const text = readFileSync((await csv.path())!, 'utf-8');
  expect(text).toContain('Statistics for the policy review (6)');
  expect(text).toContain(`period,${IMPLEMENTED_ON},${today()}`);
  expect(text).toContain('formal,Formal,<5');
  expect(text).toMatch(/redirected,Redirected,\d+/);

  const [pdf] = await Promise.all([officer.waitForEvent('download'), downloads.getByRole('button', { name: 'Download the PDF' }).click()]);
  expect(pdf.suggestedFilename()).toMatch(/\.pdf$/);
  const bytes = readFileSync((await pdf.path())!);
  expect(bytes.subarray(0, 5).toString('latin1')).toBe('%PDF-');
  expect(bytes.length).toBeGreaterThan(1000);
});

test('statistics are for the Executive only', async ({ browser }) => {
  const ombuds = await personFor(browser, 'ombuds-u2');
  await expect(ombuds.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Statistics' })).toHaveCount(0);
});
