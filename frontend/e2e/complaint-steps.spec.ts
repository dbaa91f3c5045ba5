// Steps on the complaint page beyond the main procedure: correcting the intake after it was
// filed (with a 412 when someone else changed it meanwhile), and an ombudsperson's conflict.
import { expect, test, type Page } from '@playwright/test';
import { checkScreen, personFor } from './support';
import { ComplaintPage } from './pages';

async function openAtStage(page: Page, stage: string): Promise<ComplaintPage> {
  const row = page.getByRole('row', { name: new RegExp(stage) });
  await row.getByRole('link').click();
  await expect(page.getByRole('heading', { level: 1, name: /^Complaint / })).toBeVisible();
  return new ComplaintPage(page);
}

test('the handling ombudsperson corrects the witnesses and incidents; a 412 keeps what was typed', async ({ browser }) => {
  const mine = await personFor(browser, 'ombuds-u2');
  const complaint = await openAtStage(mine, 'Informal complaint');
  let form = await complaint.step('Correct the intake', 'Correct the intake');
  // Prefilled with the complaint as recorded.
  await expect(form.getByRole('group', { name: 'Incident 1' }).getByLabel('What took place')).toHaveValue('Mocking jokes.');
  await expect(form.getByLabel('Resolution the member seeks')).toHaveValue('A written apology and an end to the comments.');
  await form.getByRole('button', { name: 'Add a witness' }).click();
  const witness = form.getByRole('group', { name: 'Witness 1', exact: true });
  await witness.getByLabel('No: record them outside the directory').check();
  await witness.getByLabel('Full name').fill('Late Witness Person');
  await form.getByRole('group', { name: 'Incident 1' }).getByLabel('Where').fill('Break room, union office');
  await checkScreen(mine, 'complaint-correct-intake');

  // Meanwhile, in another tab, the resolution sought is corrected.
  const other = await personFor(browser, 'ombuds-u2');
  const otherComplaint = await openAtStage(other, 'Informal complaint');
  const otherForm = await otherComplaint.step('Correct the intake', 'Correct the intake');
  await otherForm.getByLabel('Resolution the member seeks').fill('A written apology and respectful conduct training.');
  await otherComplaint.submit(otherForm, 'Save the corrections');

  // The first tab's save is refused (412); nothing typed is lost.
  await form.getByRole('button', { name: 'Save the corrections' }).click();
  await expect(form.getByRole('alert')).toContainText('Someone else changed this complaint');
  await expect(witness.getByLabel('Full name')).toHaveValue('Late Witness Person');
  await form.getByRole('button', { name: /Reload the complaint/ }).click();
  const changed = mine.getByRole('status').filter({ has: mine.getByRole('heading', { name: 'What changed since you opened it' }) });
  await expect(changed).toContainText('Resolution sought changed');
  await expect(form.getByRole('group', { name: 'Incident 1' }).getByLabel('Where')).toHaveValue('Break room, union office');
  await checkScreen(mine, 'complaint-correct-intake-412');
  await complaint.submit(form, 'Save the corrections');

  // Both corrections stand: this one did not undo the other tab's.
  const people = mine.getByRole('region', { name: 'Parties, witnesses and incidents' });
  await expect(people).toContainText('Late Witness Person (outside the directory)');
  await expect(people).toContainText('Break room, union office');
  await expect(people).toContainText('A written apology and respectful conduct training.');
  await expect(mine.getByRole('region', { name: 'Timeline' })).toContainText('Intake corrected');

  // A missing entry is shown next to its field, before anything is sent.
  form = await complaint.step('Correct the intake', 'Correct the intake');
  const incident = form.getByRole('group', { name: 'Incident 1' });
  await incident.getByLabel('Comments (jokes, name calling, bullying)').uncheck();
  await incident.getByLabel('Verbal abuse').uncheck();
  await form.getByRole('button', { name: 'Save the corrections' }).click();
  await expect(incident.getByText('Choose at least one category (2.1).')).toBeVisible();
  await expect(form.getByRole('alert')).toContainText('Nothing was saved');
  await form.getByRole('button', { name: 'Cancel' }).click();
});

test('an ombudsperson declares a conflict: never drawn for the CRC', async ({ browser }) => {
  const page = await personFor(browser, 'ombuds-u4');
  const complaint = await openAtStage(page, 'review with the other party');
  const form = await complaint.step('Declare a conflict (ombudsperson)', 'Declare a conflict of interest (4.3.1(v))');
  await checkScreen(page, 'complaint-ombudsperson-conflict');
  await complaint.submit(form, 'Declare my conflict');
  await expect(page.getByText('You declared a conflict on this complaint')).toBeVisible();
  await expect(complaint.steps.getByRole('button', { name: 'Declare a conflict (ombudsperson)' })).toHaveCount(0);
  await expect(page.getByRole('region', { name: 'Timeline' })).toContainText('An ombudsperson declared a conflict');
  await expect(page.getByRole('table', { name: 'Eligibility, with every reason' }).getByRole('row', { name: /Ombudsperson U4/ })).toContainText('Declared a conflict');
});

test('a CRC member is not offered the intake correction or the conflict', async ({ browser }) => {
  // ombuds-aff took in the concluded demo complaint; its CRC members read it but do not handle it.
  const page = await personFor(browser, 'staff-sao');
  const complaint = await openAtStage(page, 'investigation');
  await expect(complaint.steps.getByRole('button', { name: 'Correct the intake' })).toHaveCount(0);
  await expect(complaint.steps.getByRole('button', { name: 'Declare a conflict (ombudsperson)' })).toHaveCount(0);
});
