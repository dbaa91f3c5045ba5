// 4.3.1(v): the table officer chooses the panel's staff resource from the list; an
// ombudsperson drawn on the proposed panel sees the case reference only and declares a
// conflict from their dashboard; the officer cannot confirm the panel with that seat.
import { expect, test } from '@playwright/test';
import { checkScreen, personFor } from './support';

const SAO = 'Special Assignments Officer (demo)';

/** Demo ombudspersons are "Ombudsperson U3 (demo)" for ombuds-u3. */
const usernameOf = (displayName: string) => `ombuds-${(/Ombudsperson (\w+) \(demo\)/.exec(displayName)?.[1] ?? '').toLowerCase()}`;

test('a drawn ombudsperson declares a conflict; the officer must redraw that seat', async ({ browser }) => {
  const officer = await personFor(browser, 'officer-president');
  await officer.getByRole('row', { name: /To be struck/ }).first().getByRole('link').click();
  const heading = officer.getByRole('heading', { level: 1, name: /^Case / });
  const reference = (await heading.textContent())!.replace('Case ', '').trim();
  const panel = officer.getByRole('region', { name: 'Complaint Review Committee (4.3.1(v))' });
  const choice = panel.getByRole('group', { name: /Staff resource for the next panel drawn/ });
  await expect(choice.getByLabel('Draw one fairly')).toBeChecked();
  await choice.getByLabel(new RegExp(`^${SAO.replace(/[()]/g, '\\$&')}, Special Assignments Officer`)).check();
  await checkScreen(officer, 'officer-crc-staff-resource-list');
  const sent = officer.waitForRequest((r) => r.method() === 'POST' && r.url().endsWith('/committee/proposal'));
  await panel.getByRole('button', { name: /Propose a panel|Draw a new panel/ }).click();
  expect((await sent).postDataJSON()).toEqual({ staff_resource_id: expect.stringMatching(/^[0-9a-f-]{36}$/) });
  const table = panel.getByRole('table', { name: 'The panel' });
  await expect(table.getByRole('row', { name: /Staff resource/ })).toContainText(SAO);
  const seat1 = (await table.getByRole('row', { name: /Seat 1/ }).getByRole('cell').first().textContent())!.trim();

  const member = await personFor(browser, usernameOf(seat1));
  const proposed = member.getByRole('region', { name: 'Proposed for a Complaint Review Committee' });
  const row = proposed.getByRole('row', { name: new RegExp(reference) });
  await expect(row).toBeVisible();
  await checkScreen(member, 'dashboard-proposed-panels');
  await row.getByRole('button', { name: `Declare a conflict on ${reference}` }).click();
  const declared = member.waitForResponse((r) => r.request().method() === 'POST' && r.url().endsWith('/ombudsperson-conflict'));
  await row.getByRole('button', { name: `Yes, declare my conflict on ${reference}` }).click();
  expect((await declared).status()).toBe(204);
  await expect(row).toContainText('Conflict declared');
  await checkScreen(member, 'dashboard-proposed-panel-conflict-declared');

  // The declaration moved the complaint on: the officer reloads it, then tries to confirm.
  const strike = panel.getByRole('button', { name: 'Confirm this panel: strike the CRC' });
  await strike.click();
  const reread = officer.waitForResponse((r) => r.request().method() === 'GET' && /\/api\/status\/[^/]+$/.test(r.url()));
  await panel.getByRole('button', { name: /Reload the complaint/ }).click();
  await reread;
  await expect(panel.getByRole('alert')).toHaveCount(0);
  await strike.click();
  const refused = panel.getByRole('alert');
  await expect(refused).toContainText('can no longer be confirmed');
  await expect(refused).toContainText('no longer eligible: redraw this seat');
  await expect(refused).not.toContainText('declared');
  // The seat reads "not available" (never why), with its redraw offered.
  const seat1Row = table.getByRole('row', { name: /Seat 1/ });
  await expect(seat1Row).toContainText('Not available');
  await expect(seat1Row).not.toContainText('declared');
  await expect(seat1Row.getByRole('button', { name: 'Redraw seat 1' })).toBeVisible();
  await checkScreen(officer, 'officer-crc-seat-not-eligible');
});
