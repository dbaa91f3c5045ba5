import { expect, test, type Page } from '@playwright/test';
import { checkScreen, goInApp, signIn } from './support';

async function open(page: Page, link: string, heading: string) {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: link, exact: true }).click();
  await expect(page.getByRole('heading', { level: 1, name: heading })).toBeVisible();
}

test.describe('the administrator', () => {
  test.beforeEach(async ({ page }) => {
    await signIn(page, 'admin');
  });

  test('adds a user with roles, changes the roles, deactivates and reactivates', async ({ page }) => {
    await checkScreen(page, 'admin-users');
    const add = page.getByRole('region', { name: 'Add a user' });
    await add.getByLabel('Username').fill('ombuds-new');
    await add.getByLabel('Display name').fill('New Ombudsperson');
    await add.getByLabel('Initial password').fill('short');
    await add.getByRole('button', { name: 'Add the user' }).click();
    // The API's rule is shown next to the field; nothing typed is lost.
    await expect(add.getByRole('alert')).toContainText('Some entries need correcting');
    await expect(add.getByLabel('Username')).toHaveValue('ombuds-new');
    await add.getByLabel('Initial password').fill('a-long-enough-password');
    await add.getByRole('button', { name: 'Add the user' }).click();
    await expect(add.getByText('User ombuds-new was created.')).toBeVisible();
    const row = page.getByRole('row', { name: /ombuds-new/ });
    await expect(row).toContainText('Ombudsperson');

    await page.getByRole('button', { name: 'Change the roles of ombuds-new' }).click();
    const roles = page.getByRole('form', { name: 'Roles of ombuds-new' });
    await roles.getByLabel('Staff resource').check();
    await roles.getByLabel('Kind of staff resource (4.3.1(v))').selectOption('equality_representative');
    await roles.getByRole('button', { name: 'Save roles' }).click();
    await expect(row).toContainText('Equality Representative');

    await page.getByRole('button', { name: 'Deactivate ombuds-new' }).click();
    await expect(row).toContainText('Deactivated');
    await page.getByRole('button', { name: 'Reactivate ombuds-new' }).click();
    await expect(row).toContainText('Active');
    // Left deactivated: a staff resource who is never drawn for the procedure test's CRC.
    await page.getByRole('button', { name: 'Deactivate ombuds-new' }).click();
    await expect(row).toContainText('Deactivated');
  });

  test('adds a Unit, whose seat shows vacant on the roster until someone is seated and trained', async ({ page }) => {
    await open(page, 'Units', 'Units');
    await checkScreen(page, 'admin-units');
    const add = page.getByRole('region', { name: 'Add a Unit' });
    await add.getByLabel('Code').fill('U9');
    await add.getByLabel('Name').fill('Unit 9 - Test');
    await add.getByRole('button', { name: 'Add the Unit' }).click();
    await expect(page.getByRole('row', { name: /U9/ })).toContainText('Unit 9 - Test');

    await open(page, 'Roster', 'Ombudsperson roster');
    const seat = page.getByRole('row', { name: /U9/ });
    await expect(seat).toContainText('Vacant');
    await checkScreen(page, 'admin-roster');
    await page.getByRole('button', { name: 'Seat an ombudsperson for Unit 9 - Test' }).click();
    const form = page.getByRole('form', { name: 'Seat an ombudsperson for Unit 9 - Test' });
    await form.getByLabel('Ombudsperson').selectOption({ label: 'Ombudsperson U1 (demo) (ombuds-u1)' });
    await form.getByRole('button', { name: 'Seat' }).click();
    await expect(seat).toContainText('Ombudsperson U1 (demo)');
    await expect(seat).toContainText('Comprehensive');
  });

  test('imports the member list: a dry run reports each rejected row, then the import saves', async ({ page }) => {
    await open(page, 'Members', 'Member directory');
    await page.getByLabel('Search by name or member number').fill('Demo Member U1');
    await expect(page.getByRole('table', { name: /Members matching/ })).toContainText('Demo Member U1-1');
    await checkScreen(page, 'admin-members');
    const csv = 'member_number,full_name,unit_code,email\n500-9001,Imported Person,U1,imported@example.org\n500-9002,Nobody,NOUNIT,\n';
    const file = { name: 'members.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) };
    await page.getByLabel('CSV file').setInputFiles(file);
    await page.getByRole('button', { name: 'Check the file' }).click();
    await expect(page.getByText(/Dry run, nothing saved: 2 rows; 1 created/)).toBeVisible();
    await expect(page.getByRole('table', { name: 'Rejected rows' })).toContainText('unit_code');
    await checkScreen(page, 'admin-members-import-report');
    await page.getByLabel('Dry run: report only, save nothing').uncheck();
    await page.getByRole('button', { name: 'Import the file' }).click();
    await expect(page.getByText(/Imported: 2 rows; 1 created/)).toBeVisible();
    await page.getByLabel('Search by name or member number').fill('Imported Person');
    await expect(page.getByRole('table', { name: /Members matching/ })).toContainText('500-9001');
  });

  test('issues an integration token shown once, and revokes it', async ({ page }) => {
    await open(page, 'Integrations', 'Integration tokens');
    await checkScreen(page, 'admin-integrations');
    const account = page.getByRole('region', { name: 'Union calendar (demo)' });
    await account.getByRole('button', { name: 'Issue a token' }).click();
    const token = account.getByLabel('New API token');
    await expect(token).toContainText('omb_');
    const prefix = ((await token.textContent()) ?? '').slice(0, 12);
    await account.getByRole('button', { name: `Revoke the token ${prefix}` }).click();
    await expect(account.getByRole('row', { name: new RegExp(prefix) })).toContainText('Revoked');
  });

  test('reads the audit log', async ({ page }) => {
    await open(page, 'Audit log', 'Audit log');
    await expect(page.getByRole('table', { name: 'Audit entries' })).toContainText('auth.login');
    await checkScreen(page, 'admin-audit');
  });

  test('is refused the case workers\' screens', async ({ page }) => {
    await goInApp(page, '/complaints');
    await expect(page.getByRole('heading', { level: 1, name: 'Not available for your role' })).toBeVisible();
  });
});
