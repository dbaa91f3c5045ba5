// A complaint taken through the whole procedure, each person in their own browser context:
// the intake ombudsperson, the table officers (one of whom is the other party), the CRC
// members and the staff resource. Every screen is checked with axe and photographed.
import { expect, test, type Page } from '@playwright/test';
import { checkScreen, personFor } from './support';
import { ComplaintPage, IntakePage, openComplaintFromDashboard, today, yesterday } from './pages';

// Names of the demo directory: none may ever appear on a table officer's screen.
const PLANTED = ['Demo Member', 'Outside Witness', 'Member-complainant', 'Other party:'];

async function expectNoNames(page: Page) {
  const text = (await page.locator('body').textContent()) ?? '';
  for (const name of PLANTED) expect(text, `a table officer's screen shows "${name}"`).not.toContain(name);
}

const usernameOf = (displayName: string) => `ombuds-${displayName.replace('Ombudsperson ', '').replace(' (demo)', '').toLowerCase()}`;

test('a complaint goes from intake to closure, each role doing its part', async ({ browser }) => {
  test.setTimeout(300_000);
  // --- the intake ombudsperson ------------------------------------------------------------
  const intake = await personFor(browser, 'ombuds-u1');
  await checkScreen(intake, 'ombudsperson-dashboard');
  const wizard = new IntakePage(intake);
  await wizard.open();
  await checkScreen(intake, 'intake-1-scope');
  await wizard.next();
  await expect(intake.getByRole('alert')).toContainText('Say where the conduct took place');
  await intake.getByLabel('At a Local 500 event').check();
  await intake.getByLabel('The member was told of other routes').check();
  await wizard.next();
  await wizard.chooseMember('Member-complainant', 'Demo Member U2-3', /Choose Demo Member U2-3/);
  await wizard.chooseMember('Other party', 'Demo Member U1-2', /Choose Demo Member U1-2/);
  await intake.getByRole('button', { name: 'Add a witness' }).click();
  const witness = intake.getByRole('group', { name: 'Witness 1', exact: true });
  await witness.getByLabel('No: record them outside the directory').check();
  await witness.getByLabel('Full name').fill('Outside Witness Person');
  await checkScreen(intake, 'intake-2-parties');
  await wizard.next();
  await wizard.incident('Demeaning comments about my age during the meeting.', yesterday(), 'General membership meeting hall', 'Comments (jokes, name calling, bullying)');
  await checkScreen(intake, 'intake-3-incidents');
  await wizard.next();
  await intake.getByLabel('Age', { exact: true }).check();
  await intake.getByLabel('Resolution the member seeks').fill('A written apology.');
  await checkScreen(intake, 'intake-4-grounds');
  await wizard.next();
  await expect(intake.getByText('Outside Witness Person (outside the directory)')).toBeVisible();
  await checkScreen(intake, 'intake-5-review');
  await intake.getByRole('button', { name: 'File the complaint' }).click();
  const complaint = new ComplaintPage(intake);
  await expect(intake.getByText(/The complaint was filed as/)).toBeVisible();
  const reference = await complaint.reference();
  await complaint.stage('Intake');
  await checkScreen(intake, 'complaint-intake');

  // 4.2.1: an informal attempt that fails.
  let form = await complaint.step('Record an informal attempt', 'Record an informal attempt (4.2.1)');
  await form.getByLabel('Shuttle discussion (4.2.1(ii))').check();
  await form.getByLabel('Proposed resolution').fill('A private apology.');
  await form.getByLabel('Outcome').selectOption('failed');
  await complaint.submit(form, 'Record the attempt');
  await complaint.stage('Informal complaint');
  await expect(intake.getByRole('region', { name: 'Informal attempts (4.2.1)' })).toContainText('Failed');
  await checkScreen(intake, 'complaint-informal');

  // 4.3.1: formal, this Local 500 procedure; the letter (4.3.1(i)), signed and attached.
  form = await complaint.step('Go formal: record the route chosen', 'Go formal: the route the member chose (4.3.1)');
  await form.getByLabel('This Local 500 procedure').check();
  await complaint.submit(form, 'Record the route');
  await complaint.stage('Formal: the letter');
  // Incomplete: completing it is not offered, and the letter says what it lacks, in words.
  await expect(complaint.steps.getByRole('button', { name: 'Complete the signed letter' })).toHaveCount(0);
  const letter = intake.getByRole('region', { name: 'The letter (4.3.1(i))' });
  await expect(letter).toContainText('Still lacks: what took place');
  await expect(letter).not.toContainText('what_took_place');
  form = await complaint.step('Write the letter', 'The signed letter (4.3.1(i))');
  await form.getByLabel('What took place').fill('At the general membership meeting, comments about my age.');
  await form.getByLabel('When it took place').fill('After the break');
  await form.getByLabel('Date and time (Winnipeg time)').fill(`${yesterday()}T19:30`);
  await form.getByLabel("Witnesses' names (or that there were none)").fill('Outside Witness Person');
  await form.getByLabel('Resolution sought').fill('A written apology.');
  await form.getByLabel('Signed on').fill(today());
  await complaint.submit(form, 'Save the letter');
  form = await complaint.step('Attach a document', 'Attach a document');
  await form.getByLabel('File').setInputFiles({ name: 'signed-letter.pdf', mimeType: 'application/pdf', buffer: Buffer.from('%PDF-1.4\n% signed letter\n%%EOF\n') });
  await complaint.submit(form, 'Attach');
  await expect(intake.getByRole('button', { name: 'signed-letter.pdf' })).toBeVisible();
  await checkScreen(intake, 'complaint-letter');
  form = await complaint.step('Complete the signed letter', 'Complete the signed letter (4.3.1(i))');
  await complaint.submit(form, 'Complete the letter');
  await complaint.stage('Formal: review with the other party');

  // 4.3.1(ii)-(iii): the review with the other party, the response, the table officers told.
  form = await complaint.step('Record the review with the other party', 'Review with the other party (4.3.1(ii))');
  await complaint.submit(form, 'Record the review');
  await expect(intake.getByRole('region', { name: "The other party's written response (4.3.1(ii))" })).toContainText('Awaiting the response');
  form = await complaint.step("Record the other party's written response", "The other party's written response (4.3.1(ii))");
  await form.getByLabel('The response').fill('I did not mean it that way.');
  await complaint.submit(form, 'Record the response');
  form = await complaint.step('Tell the table officers', 'Tell the table officers (4.3.1(iii))');
  await complaint.submit(form, 'Tell the table officers');
  await complaint.stage('Formal: striking the CRC');
  await expect(intake.getByRole('table', { name: 'Eligibility, with every reason' })).toContainText('Took the complaint in');
  await checkScreen(intake, 'complaint-committee-eligibility');

  // --- the table officers: non-identifying status; the other party's officer is recused ---
  const secretary = await personFor(browser, 'officer-secretary');
  await expect(secretary.getByRole('heading', { level: 1, name: 'Status board' })).toBeVisible();
  await expect(secretary.getByRole('link', { name: reference })).toHaveCount(0);
  await expectNoNames(secretary);

  const president = await personFor(browser, 'officer-president');
  await expect(president.getByRole('row', { name: new RegExp(reference) })).toContainText('To be struck');
  await expectNoNames(president);
  await checkScreen(president, 'officer-status-board');
  await president.getByRole('link', { name: reference }).click();
  await expect(president.getByRole('heading', { level: 1, name: `Case ${reference}` })).toBeVisible();
  await expect(president.getByRole('region', { name: 'Where it stands' })).toContainText('Officers recused1');
  await president.getByRole('button', { name: 'Propose a panel' }).click();
  const panel = president.getByRole('table', { name: 'The panel' });
  await expect(panel).toContainText('Seat 3');
  await president.getByRole('button', { name: 'Redraw seat 1' }).click();
  await expect(president.getByText(/Proposed \(version 2\)/)).toBeVisible();
  await expectNoNames(president);
  await checkScreen(president, 'officer-crc-proposal');
  await president.getByRole('button', { name: 'Confirm this panel: strike the CRC' }).click();
  await expect(president.getByText(/Struck on/)).toBeVisible();
  const members = await panel.locator('tbody tr td:first-of-type').allTextContents();
  const crcNames = members.filter((n) => n.startsWith('Ombudsperson'));
  expect(crcNames).toHaveLength(3);
  expect(crcNames).not.toContain('Ombudsperson U1 (demo)');

  // --- the CRC: investigation, findings, recommendations, telling the parties ------------
  const crc = await personFor(browser, usernameOf(crcNames[0] ?? ''));
  const crcPage = await openComplaintFromDashboard(crc, reference);
  await crcPage.stage('Formal: investigation');
  await checkScreen(crc, 'crc-complaint-investigation');
  // The findings wait for a step of the investigation: not offered yet.
  await expect(crcPage.steps.getByRole('button', { name: 'Record an investigation step' })).toBeVisible();
  await expect(crcPage.steps.getByRole('button', { name: 'Record the findings' })).toHaveCount(0);
  form = await crcPage.step('Record an investigation step', 'Record an investigation step (4.3.1(vi))');
  await form.getByLabel('Notes').fill('Interviewed the member-complainant.');

  const staff = await personFor(browser, 'staff-sao');
  const staffPage = await openComplaintFromDashboard(staff, reference);
  const staffForm = await staffPage.step('Record an investigation step', 'Record an investigation step (4.3.1(vi))');
  await staffForm.getByLabel('Notes').fill('Reviewed the letter and the written response.');
  await staffPage.submit(staffForm, 'Record the step');
  await expect(staff.getByRole('region', { name: 'Investigation log (4.3.1(vi))' })).toContainText('Review of the letter');
  await checkScreen(staff, 'staff-resource-complaint');

  // The CRC member's tab still holds the old version: the step gets a 412, kept as typed.
  await form.getByRole('button', { name: 'Record the step' }).click();
  await expect(form.getByRole('alert')).toContainText('Someone else changed this complaint');
  await expect(form.getByLabel('Notes')).toHaveValue('Interviewed the member-complainant.');
  await form.getByRole('button', { name: /Reload the complaint/ }).click();
  await expect(crc.getByRole('heading', { name: 'What changed since you opened it' })).toBeVisible();
  await checkScreen(crc, 'crc-412-what-changed');
  await crcPage.submit(form, 'Record the step');

  form = await crcPage.step('Record the findings', 'The findings (4.3.1(viii))');
  await form.getByLabel('Harassment found', { exact: true }).check();
  await form.getByLabel('The findings').fill('The comments were made and were demeaning.');
  await crcPage.submit(form, 'Record the findings');
  await crcPage.stage('Formal: conclusions');

  form = await crcPage.step('Add a recommendation', 'Add a recommendation (4.3.1(viii))');
  await form.getByLabel('The recommendation').fill('A written apology to the member-complainant within 30 days.');
  await crcPage.submit(form, 'Add the recommendation');
  form = await crcPage.step('Hand the recommendations to the table officers', 'Hand the recommendations to the table officers (5.1)');
  await crcPage.submit(form, 'Hand them over');
  form = await crcPage.step('Record a party told the conclusions', 'The member-complainant told the conclusions (4.3.1(ix))');
  await crcPage.submit(form, 'Record it');
  // The next form's title follows the re-read conclusions: wait until they show the first telling.
  await expect(crc.locator('dt:has-text("Member-complainant told") + dd')).not.toHaveText('—');
  form = await crcPage.step('Record a party told the conclusions', 'The other party told the conclusions (4.3.1(ix))');
  await crcPage.submit(form, 'Record it');
  await checkScreen(crc, 'crc-conclusions');

  // --- the table officers implement the recommendation -----------------------------------
  await president.getByRole('link', { name: 'Back to the status board' }).click();
  await president.getByRole('link', { name: reference }).click();
  const recs = president.getByRole('region', { name: 'Recommendations to implement (4.3.1(viii))' });
  await expect(recs).toContainText('A written apology');
  await recs.getByRole('button', { name: 'Record what was done' }).click();
  await recs.getByRole('button', { name: 'Save' }).click();
  await expect(recs).toContainText('Implemented');
  await expectNoNames(president);
  await checkScreen(president, 'officer-recommendations');

  // --- the CRC closes once every notice owed to a party is told or waived (4.3.1(vii)) -------
  await crc.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Complaints', exact: true }).click();
  const again = await openComplaintFromDashboard(crc, reference);
  await again.stage('Formal: conclusions');
  await expect(crc.getByRole('region', { name: 'Keeping the parties informed (4.3.1(vii))' }).getByRole('table')).toHaveAccessibleName(/still owed/);
  await expect(again.steps.getByRole('button', { name: 'Close the complaint' })).toHaveCount(0);

  // The handling ombudsperson waives one notice with the reason; the CRC tells the rest.
  const intakeAgain = await openComplaintFromDashboard(intake, reference);
  const intakeNotices = intake.getByRole('region', { name: 'Keeping the parties informed (4.3.1(vii))' });
  await intakeNotices.getByRole('button', { name: /^Waive the notice to/ }).first().click();
  form = intake.getByRole('form', { name: 'Waive the notice (4.3.1(vii))' });
  await form.getByLabel('Reason').fill('The other party left the Local before this stage.');
  await intakeAgain.submit(form, 'Waive the notice');
  await expect(intakeNotices).toContainText('Waived');
  await checkScreen(intake, 'complaint-notice-waived');

  await crc.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Complaints', exact: true }).click();
  const closing = await openComplaintFromDashboard(crc, reference);
  const notices = crc.getByRole('region', { name: 'Keeping the parties informed (4.3.1(vii))' });
  await expect(notices).toContainText('Waived');
  const tell = notices.getByRole('button', { name: /^Record the .* told of the stage/ });
  await expect(tell.first()).toBeVisible();
  while ((await tell.count()) > 0) {
    const before = await tell.count();
    await tell.first().click();
    form = crc.getByRole('form', { name: 'Record the party told (4.3.1(vii))' });
    await closing.submit(form, 'Record it');
    await expect(tell).toHaveCount(before - 1);
  }
  await expect(notices.getByRole('table')).toHaveAccessibleName('Every notice told or waived');
  form = await closing.step('Close the complaint', 'Close the complaint');
  await closing.submit(form, 'Close the complaint');
  await closing.stage('Closed');

  await intake.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Complaints', exact: true }).click();
  await intake.getByLabel('Show closed complaints too').check();
  const closed = await openComplaintFromDashboard(intake, reference);
  await closed.stage('Closed');
  await expect(intake.getByRole('region', { name: 'Where it stands' })).toContainText('Concluded: recommendations handed over');
  await expect(intake.getByRole('region', { name: 'Timeline' })).toContainText('CRC struck');
  await checkScreen(intake, 'complaint-closed-timeline');
});
