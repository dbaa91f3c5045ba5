// Issue 15, in the app: the header's unread count, the notifications screen (marking read,
// a delivery that failed said plainly), the person's choices, and the administrators'
// failed deliveries with Retry. The demo seeds the notifications (ombuds.demo).
import { expect, test, type Page } from '@playwright/test';
import { checkScreen, personFor } from './support';

function bell(page: Page) {
  return page.getByRole('banner').getByRole('link', { name: /^Notifications/ });
}

test('an ombudsperson reads their notifications and makes their choices', async ({ browser }) => {
  const ombuds = await personFor(browser, 'ombuds-u1');
  // Two unread of the demo's three (one was read), and the policy says what needs them.
  await expect(bell(ombuds)).toHaveText(/Notifications\s*2 unread/);
  await bell(ombuds).click();
  await expect(ombuds.getByRole('heading', { level: 1, name: 'Notifications' })).toBeVisible();
  const list = ombuds.getByRole('region', { name: 'Your notifications' });
  const table = list.getByRole('table', { name: '3 notifications, newest first, 2 unread' });
  await expect(table).toBeVisible();
  // The e-mail that could not be delivered, said plainly, with what to do.
  const failed = table.getByRole('row').filter({ hasText: 'Notices to the parties are still owed' });
  await expect(failed).toContainText('Not delivered: check your address below');
  await expect(list.getByText(/Some e-mails could not be delivered/)).toBeVisible();
  // The case reference while the ombudsperson may see the complaint; no name anywhere.
  const approaching = table.getByRole('row').filter({ hasText: 'A written response is due soon' });
  await expect(approaching.getByRole('link')).toHaveAttribute('href', /^\/complaints\/[0-9a-f-]{36}$/);
  await expect(table).not.toContainText('Demo Member');
  await checkScreen(ombuds, 'notifications');

  await approaching.getByRole('button', { name: /^Mark read: / }).click();
  await expect(list.getByRole('table', { name: '3 notifications, newest first, 1 unread' })).toBeVisible();
  await expect(bell(ombuds)).toHaveText(/Notifications\s*1 unread/);
  await list.getByRole('button', { name: 'Mark all read' }).click();
  await expect(list.getByText('1 notification marked read.')).toBeVisible();
  await expect(bell(ombuds)).toHaveText(/^\W*Notifications$/);

  const choices = ombuds.getByRole('form', { name: 'Your choices' });
  const required = choices.getByLabel(/A written response is due soon .*always on/);
  await expect(required).toBeChecked();
  await expect(required).toBeDisabled();
  await choices.getByLabel('A written response was recorded (4.3.1(ii))').uncheck();
  await choices.getByLabel(/One e-mail a day/).check();
  await choices.getByLabel('E-mail address').fill('not an address');
  await choices.getByRole('button', { name: 'Save my choices' }).click();
  await expect(choices.getByRole('alert')).toContainText('E-mail address: value is not a valid email address');
  await choices.getByLabel('E-mail address').fill('u1.volunteer@example.org');
  await choices.getByRole('button', { name: 'Save my choices' }).click();
  await expect(choices.getByText('Your choices were saved.')).toBeVisible();
  await checkScreen(ombuds, 'notification-choices');

  // Read again from the server: the choices held.
  await ombuds.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Complaints', exact: true }).click();
  await bell(ombuds).click();
  const again = ombuds.getByRole('form', { name: 'Your choices' });
  await expect(again.getByLabel('E-mail address')).toHaveValue('u1.volunteer@example.org');
  await expect(again.getByLabel(/One e-mail a day/)).toBeChecked();
  await expect(again.getByLabel('A written response was recorded (4.3.1(ii))')).not.toBeChecked();

  await ombuds.getByRole('button', { name: 'Sign out' }).click();
  await expect(bell(ombuds)).toHaveCount(0);
});

test('a table officer is told a CRC must be struck; an administrator sends a failed e-mail again', async ({ browser }) => {
  const officer = await personFor(browser, 'officer-president');
  await expect(bell(officer)).toHaveText(/Notifications\s*\d+ unread/);
  await bell(officer).click();
  const table = officer.getByRole('region', { name: 'Your notifications' }).getByRole('table');
  const strike = table.getByRole('row').filter({ hasText: 'A Complaint Review Committee must be struck' });
  await expect(strike.getByRole('link')).toHaveAttribute('href', /^\/status\/[0-9a-f-]{36}$/);
  await expect(table.getByRole('row').filter({ hasText: 'The policy review is coming up' })).toBeVisible();
  await checkScreen(officer, 'notifications-table-officer');

  const admin = await personFor(browser, 'admin');
  await admin.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Failed deliveries' }).click();
  await expect(admin.getByRole('heading', { level: 1, name: 'Failed deliveries' })).toBeVisible();
  const failed = admin.getByRole('table', { name: '1 failed delivery, newest first' });
  const row = failed.getByRole('row').filter({ hasText: 'Ombudsperson U1 (demo)' });
  await expect(row).toContainText('Notices to the parties are still owed');
  await expect(row).toContainText('SMTPConnectError');
  await checkScreen(admin, 'failed-deliveries');
  await row.getByRole('button', { name: 'Retry the e-mail to Ombudsperson U1 (demo)' }).click();
  await expect(admin.getByText('The e-mail to Ombudsperson U1 (demo) is queued to be sent again.')).toBeVisible();
  await expect(admin.getByText('No e-mail has failed.')).toBeVisible();
  await checkScreen(admin, 'failed-deliveries-empty');
});
