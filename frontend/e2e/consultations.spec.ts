// 4.1: an ombudsperson records a confidential consultation, lists their own, reads one, and
// takes a complaint in from it.
import { expect, test } from '@playwright/test';
import { checkScreen, signIn } from './support';
import { ComplaintPage, IntakePage, yesterday } from './pages';

test('an ombudsperson records a consultation and takes a complaint in from it', async ({ page }) => {
  await signIn(page, 'ombuds-u3');
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Consultations' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Consultations (4.1)' })).toBeVisible();
  const list = page.getByRole('table', { name: /consultations?, most recent first/ });
  await expect(list).toContainText('1 consultation,'); // the demo one; the list shows no names
  await checkScreen(page, 'consultations');

  const form = page.getByRole('form', { name: 'Record a consultation' });
  await form.getByRole('button', { name: 'Record the consultation' }).click();
  await expect(form.getByRole('alert')).toContainText('Note what was discussed.');
  const member = form.getByRole('group', { name: 'The member' });
  await member.getByRole('searchbox', { name: 'Member' }).fill('Demo Member U3-2');
  await member.getByRole('button', { name: /Choose Demo Member U3-2/ }).click();
  await form.getByLabel('Held on').fill(yesterday());
  await form.getByLabel('Notes').fill('Talked through the informal and formal routes.');
  await form.getByLabel(/told of other routes/).check();
  await form.getByRole('button', { name: 'Record the consultation' }).click();

  await expect(page.getByRole('heading', { level: 1, name: /^Consultation of / })).toBeVisible();
  await expect(page.getByText('The consultation was recorded.')).toBeVisible();
  const record = page.getByRole('region', { name: 'The consultation (4.1)' });
  await expect(record).toContainText('Demo Member U3-2');
  await expect(record).toContainText('Talked through the informal and formal routes.');
  await checkScreen(page, 'consultation');

  // The member chooses a complaint: it is taken in linked to the consultation.
  await page.getByRole('link', { name: 'Take in a complaint from this consultation' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Take in a complaint' })).toBeVisible();
  await expect(page.getByText(/Taken in from your consultation of/)).toBeVisible();
  const wizard = new IntakePage(page);
  await page.getByLabel('At a Local 500 event').check();
  await wizard.next();
  await expect(page.getByText(/Member-complainant:\s*Demo Member U3-2/)).toBeVisible();
  await wizard.chooseMember('Other party', 'Demo Member U3-3', /Choose Demo Member U3-3/);
  await wizard.next();
  await wizard.incident('Remarks after the meeting.', yesterday(), 'Union hall', 'Verbal abuse');
  await wizard.next();
  await page.getByLabel('Resolution the member seeks').fill('That it stops.');
  await wizard.next();
  await expect(page.getByText('From the consultation of')).toBeVisible();
  await page.getByRole('button', { name: 'File the complaint' }).click();
  await expect(page.getByText(/The complaint was filed as/)).toBeVisible();
  const reference = await new ComplaintPage(page).reference();

  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Consultations' }).click();
  await expect(list).toContainText('2 consultations,');
  await expect(list.getByRole('link', { name: 'Yes: open the complaint' })).toHaveCount(1);
  await list.getByRole('link', { name: 'Yes: open the complaint' }).click();
  await expect(page.getByRole('heading', { level: 1, name: `Complaint ${reference}` })).toBeVisible();
});

test('the consultations screen works at phone width, by keyboard', async ({ browser }) => {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
  const page = await context.newPage();
  await signIn(page, 'ombuds-u3');
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Consultations' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Consultations (4.1)' })).toBeFocused();
  await page.getByLabel('No: record them by name').focus();
  await page.keyboard.press('Space');
  await expect(page.getByLabel(/^Full name/)).toBeVisible();
  await checkScreen(page, 'phone-consultations');
  await context.close();
});

test('consultations are offered to ombudspersons only', async ({ page }) => {
  await signIn(page, 'staff-sao');
  await expect(page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Consultations' })).toHaveCount(0);
});
