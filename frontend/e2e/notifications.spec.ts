// Issue 15, in the app: the header's unread count, the notifications screen (marking read,
// a delivery that failed said plainly), the person's choices, and the administrators'
// failed deliveries with Retry. The demo seeds the notifications (ombuds.demo).
import { expect, test, type Page } from '@playwright/test';
import { checkScreen, personFor } from './support';

function bell(page: Page) {
  return page.getByRole('banner').getByRole('link', { name: /^Notifications/ });
}

// The demo's procedure and its seeded notifications decide how many there are: the test
// reads the count the header shows, then checks every other figure against it.
async function unreadShown(page: Page): Promise<number> {
  await expect(bell(page)).toHaveText(/Notifications\s*\d+ unread/);
  const text = (await bell(page).textContent()) ?? '';
  return Number(/(\d+) unread/.exec(text)?.[1]);
}

function caption(unread: number): RegExp {
  return new RegExp(`^\\d+ notifications?, newest first, ${unread} unread$`);
}

test('an ombudsperson reads their notifications and makes their choices', async ({ browser }) => {
  const ombuds = await personFor(browser, 'ombuds-u1');
  // What the demo's procedure and today's reminders left them, and what needs them.
  const unread = await unreadShown(ombuds);
  expect(unread).toBeGreaterThanOrEqual(2);
  await bell(ombuds).click();
  await expect(ombuds.getByRole('heading', { level: 1, name: 'Notifications' })).toBeVisible();
  const list = ombuds.getByRole('region', { name: 'Your notifications' });
  const table = list.getByRole('table', { name: caption(unread) });
  await expect(table).toBeVisible();
  // The e-mail that could not be delivered, said plainly, with what to do.
  const failed = table.getByRole('row').filter({ hasText: 'Not delivered: check your address below' });
  await expect(failed).toHaveCount(1);
  await expect(list.getByText(/Some e-mails could not be delivered/)).toBeVisible();
  // The case reference while the ombudsperson may see the complaint; no name anywhere.
  await expect(failed.getByRole('link')).toHaveAttribute('href', /^\/complaints\/[0-9a-f-]{36}$/);
  await expect(table).not.toContainText('Demo Member');
  await checkScreen(ombuds, 'notifications');

  await failed.getByRole('button', { name: /^Mark read: / }).click();
  await expect(list.getByRole('table', { name: caption(unread - 1) })).toBeVisible();
  await expect(bell(ombuds)).toHaveText(new RegExp(`Notifications\\s*${unread - 1} unread`));
  await list.getByRole('button', { name: 'Mark all read' }).click();
  const marked = unread - 1 === 1 ? '1 notification marked read.' : `${unread - 1} notifications marked read.`;
  await expect(list.getByText(marked)).toBeVisible();
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
  await expect(strike.first().getByRole('link')).toHaveAttribute('href', /^\/status\/[0-9a-f-]{36}$/);
  await checkScreen(officer, 'notifications-table-officer');

  const admin = await personFor(browser, 'admin');
  await admin.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Failed deliveries' }).click();
  await expect(admin.getByRole('heading', { level: 1, name: 'Failed deliveries' })).toBeVisible();
  const failed = admin.getByRole('table', { name: '1 failed delivery, newest first' });
  const row = failed.getByRole('row').filter({ hasText: 'Ombudsperson U1 (demo)' });
  await expect(row).toContainText('A written response was not received in time');
  await expect(row).toContainText('SMTPConnectError');
  await checkScreen(admin, 'failed-deliveries');
  await row.getByRole('button', { name: 'Retry the e-mail to Ombudsperson U1 (demo)' }).click();
  await expect(admin.getByText('The e-mail to Ombudsperson U1 (demo) is queued to be sent again.')).toBeVisible();
  await expect(admin.getByText('No e-mail has failed.')).toBeVisible();
  await checkScreen(admin, 'failed-deliveries-empty');
});
