// 5.1: an ombudsperson sees a record falling due for destruction and places a legal hold;
// an administrator lifts it, and reads the destruction register.
import { expect, test } from '@playwright/test';
import { checkScreen, personFor, signIn } from './support';

test('an ombudsperson holds a record falling due; an administrator lifts the hold and reads the register', async ({ browser }) => {
  const ombuds = await personFor(browser, 'ombuds-u1');
  await ombuds.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Complaints', exact: true }).click();
  const due = ombuds.getByRole('region', { name: 'Records due for destruction' });
  // The demo's consultations of ombuds-u1: one falling due within the month, one held.
  const table = due.getByRole('table', { name: /records? due for destruction/ });
  await expect(table).toBeVisible();
  const falling = table.getByRole('row').filter({ has: ombuds.getByRole('button', { name: /^Place a legal hold on / }) }).first();
  await expect(falling).toContainText('Consultation (4.1)');
  await expect(falling).toContainText('Due');
  await expect(table.getByRole('row').filter({ hasText: 'A legal hold stands' })).toHaveCount(1);
  const link = falling.getByRole('link');
  const href = (await link.getAttribute('href')) ?? '';
  const consultationId = href.split('/').pop() ?? '';
  const linkName = (await link.textContent()) ?? '';
  expect(href).toMatch(/^\/consultations\/[0-9a-f-]{36}$/);
  await checkScreen(ombuds, 'ombudsperson-due-for-destruction');

  await falling.getByRole('button', { name: /^Place a legal hold on / }).click();
  const form = due.getByRole('form', { name: /^Place a legal hold on / });
  await form.getByRole('button', { name: 'Place the hold' }).click();
  await expect(form.getByText('Give a reason: it is kept with the record.')).toBeVisible();
  await form.getByLabel(/Reason/).fill('The member may bring a complaint; keep the notes.');
  await checkScreen(ombuds, 'ombudsperson-hold-form');
  await form.getByRole('button', { name: 'Place the hold' }).click();
  await expect(due.getByText(/is held: it will not be destroyed/)).toBeVisible();
  await expect(table.getByRole('row').filter({ hasText: 'A legal hold stands' })).toHaveCount(2);

  // The consultation's page shows the hold, its reason, and who lifts it.
  await due.getByRole('link', { name: linkName }).click();
  const retention = ombuds.getByRole('region', { name: 'Retention (5.1)' });
  await expect(retention).toContainText('Held');
  await expect(retention).toContainText('by you');
  await expect(retention).toContainText('The member may bring a complaint; keep the notes.');
  await expect(retention).toContainText('Only an administrator lifts a legal hold.');
  await expect(retention.getByRole('button', { name: 'Place a legal hold' })).toHaveCount(0);
  await checkScreen(ombuds, 'consultation-retention');

  const admin = await personFor(browser, 'admin');
  await admin.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Retention' }).click();
  await expect(admin.getByRole('heading', { level: 1, name: 'Retention and destruction (5.1)' })).toBeVisible();
  const holds = admin.getByRole('region', { name: 'Legal holds' });
  const name = `Consultation ${consultationId.slice(0, 8)}`;
  await expect(holds.getByRole('row').filter({ hasText: name })).toContainText('Ombudsperson U1');
  // The hold's reason is the ombudsperson's: never shown to an administrator.
  await expect(holds).not.toContainText('keep the notes');
  await expect(admin.getByRole('region', { name: 'Destruction register' })).toContainText('No record has been destroyed.');
  await expect(admin.getByRole('region', { name: 'Scheduled destructions' })).toContainText('No destruction is scheduled.');
  await checkScreen(admin, 'admin-retention');

  await holds.getByRole('button', { name: `Lift the legal hold on ${name}` }).click();
  const lift = holds.getByRole('form', { name: `Lift the legal hold on ${name}` });
  await lift.getByLabel(/Reason/).fill('The member decided not to complain.');
  await lift.getByRole('button', { name: 'Lift the hold' }).click();
  await expect(lift.getByRole('alertdialog')).toContainText('It may then be destroyed at the end of its retention period.');
  await checkScreen(admin, 'admin-retention-confirm');
  await lift.getByRole('button', { name: 'Yes: lift the hold' }).click();
  await expect(holds.getByText(`The legal hold on ${name} was lifted: the record follows its schedule again.`)).toBeVisible();
  await expect(holds.getByRole('row').filter({ hasText: name })).toHaveCount(0);

  // Back on the ombudsperson's dashboard, the record falls due again.
  await ombuds.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Complaints', exact: true }).click();
  await expect(table.getByRole('row').filter({ hasText: 'A legal hold stands' })).toHaveCount(1);
  await expect(table.getByRole('row').filter({ hasText: linkName }).getByRole('button', { name: /^Place a legal hold on / })).toBeVisible();
});

test("a complaint's page shows its retention: kept while open", async ({ page }) => {
  await signIn(page, 'ombuds-u2');
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Complaints', exact: true }).click();
  await page.getByRole('table', { name: /complaints?/ }).getByRole('link').first().click();
  const retention = page.getByRole('region', { name: 'Retention (5.1)' });
  await expect(retention).toContainText('Kept while open: its retention period starts when it closes.');
  await expect(retention).toContainText('Not yet: the complaint is open');
  await checkScreen(page, 'complaint-retention');
});
