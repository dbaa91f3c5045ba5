// Page objects: one per screen, in the words the screens use.
import { expect, type Locator, type Page } from '@playwright/test';

function winnipegDate(offsetDays = 0): string {
  const d = new Date(Date.now() + offsetDays * 86_400_000);
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'America/Winnipeg', year: 'numeric', month: '2-digit', day: '2-digit' }).format(d);
}
export const today = () => winnipegDate(0);
export const yesterday = () => winnipegDate(-1);

export class IntakePage {
  constructor(readonly page: Page) {}

  async open() {
    await this.page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'New complaint' }).click();
    await expect(this.page.getByRole('heading', { level: 1, name: 'Take in a complaint' })).toBeVisible();
  }

  next() {
    return this.page.getByRole('button', { name: 'Next' }).click();
  }

  async chooseMember(section: string, search: string, name: RegExp) {
    const group = this.page.getByRole('group', { name: section, exact: true });
    await group.getByRole('searchbox', { name: section }).fill(search);
    await group.getByRole('button', { name }).click();
  }

  async incident(what: string, on: string, where: string, category: string) {
    const inc = this.page.getByRole('group', { name: 'Incident 1' });
    await inc.getByLabel('What took place').fill(what);
    await inc.getByLabel('Date').fill(on);
    await inc.getByLabel('Where').fill(where);
    await inc.getByLabel(category).check();
  }
}

export class ComplaintPage {
  readonly steps: Locator;
  constructor(readonly page: Page) {
    this.steps = page.getByRole('region', { name: 'Next steps' });
  }

  async reference(): Promise<string> {
    const heading = await this.page.getByRole('heading', { level: 1 }).textContent();
    return (heading ?? '').replace('Complaint ', '').trim();
  }

  async stage(name: string) {
    await expect(this.page.getByRole('list', { name: 'Stages of the procedure' }).locator('[aria-current="step"]')).toHaveText(name);
  }

  /** Open a step offered in "Next steps" and return its form. */
  async step(button: string, form: string): Promise<Locator> {
    await this.steps.getByRole('button', { name: button }).click();
    const f = this.page.getByRole('form', { name: form });
    await expect(f).toBeVisible();
    return f;
  }

  async submit(form: Locator, name: string) {
    await form.getByRole('button', { name }).click();
    await expect(form).toBeHidden();
  }
}

export async function openComplaintFromDashboard(page: Page, reference: string): Promise<ComplaintPage> {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Complaints', exact: true }).click();
  await page.getByRole('link', { name: reference }).click();
  await expect(page.getByRole('heading', { level: 1, name: `Complaint ${reference}` })).toBeVisible();
  return new ComplaintPage(page);
}
