// 4.3.1(v): the table officer striking the CRC chooses the staff resource of the panel from
// the list of staff resources of the allowed kinds, or lets the system draw one.
import { expect, test } from '@playwright/test';
import { checkScreen, personFor } from './support';

const SAO = 'Special Assignments Officer (demo)';

test('a table officer chooses the staff resource from the list, or lets one be drawn', async ({ browser }) => {
  const page = await personFor(browser, 'officer-treasurer');
  await page.getByRole('row', { name: /To be struck/ }).first().getByRole('link').click();
  await expect(page.getByRole('heading', { level: 1, name: /^Case / })).toBeVisible();
  const panel = page.getByRole('region', { name: 'Complaint Review Committee (4.3.1(v))' });
  const choice = panel.getByRole('group', { name: /Staff resource for the next panel drawn/ });
  await expect(choice.getByLabel('Draw one fairly')).toBeChecked();
  await panel.getByRole('button', { name: 'Propose a panel' }).click();
  const table = panel.getByRole('table', { name: 'The panel' });
  await expect(table.getByRole('row', { name: /Staff resource/ })).toContainText(SAO);

  await choice.getByLabel(`${SAO}, Special Assignments Officer (Human Rights/Respectful Workplace)`).check();
  await checkScreen(page, 'officer-crc-staff-resource');
  let sent = page.waitForRequest((r) => r.method() === 'POST' && r.url().endsWith('/committee/proposal'));
  await panel.getByRole('button', { name: 'Draw a new panel' }).click();
  expect((await sent).postDataJSON()).toEqual({ staff_resource_id: expect.stringMatching(/^[0-9a-f-]{36}$/) });
  await expect(panel.getByText(/Proposed \(version 2\)/)).toBeVisible();
  await expect(table.getByRole('row', { name: /Staff resource/ })).toContainText(SAO);

  await choice.getByLabel('Draw one fairly').check();
  sent = page.waitForRequest((r) => r.method() === 'POST' && r.url().endsWith('/committee/proposal'));
  await panel.getByRole('button', { name: 'Draw a new panel' }).click();
  expect((await sent).postDataJSON()).toEqual({ staff_resource_id: null });
  await expect(panel.getByText(/Proposed \(version 3\)/)).toBeVisible();
});
