import { expect, test } from '@playwright/test';
import { checkScreen, signIn } from './support';

test('each user manages their calendar feed link: create, rotate, turn off', async ({ page }) => {
  await signIn(page, 'ombuds-u2');
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Calendar' }).click();
  await expect(page.getByText('You have no feed link.')).toBeVisible();
  await checkScreen(page, 'calendar');
  await page.getByRole('button', { name: 'Create a feed link' }).click();
  const link = page.getByLabel('Feed link');
  await expect(link).toContainText('/api/feeds/');
  const first = await link.textContent();
  await expect(page.getByRole('link', { name: 'Open in my calendar app (webcal)' })).toHaveAttribute('href', /^webcal:\/\//);
  await checkScreen(page, 'calendar-feed-created');
  await page.getByRole('button', { name: 'Rotate the link' }).click();
  await page.getByRole('button', { name: 'Yes, rotate: the old link stops working' }).click();
  await expect(link).not.toHaveText(first ?? '');
  await page.getByRole('button', { name: 'Turn the feed off' }).click();
  await expect(page.getByText('You have no feed link.')).toBeVisible();
  await page.getByRole('button', { name: 'Connect a calendar' }).click();
  await expect(page.getByRole('form', { name: 'Connect a CalDAV calendar' })).toBeVisible();
  await checkScreen(page, 'calendar-caldav-form');
});

test('a phone-sized screen keeps every control reachable', async ({ browser }) => {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
  const page = await context.newPage();
  await signIn(page, 'ombuds-u1');
  await checkScreen(page, 'phone-dashboard');
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'New complaint' }).click();
  await checkScreen(page, 'phone-intake');
  // Keyboard only: a new screen puts the focus on its heading; Tab goes on to its first field.
  await expect(page.getByRole('heading', { level: 1, name: 'Take in a complaint' })).toBeFocused();
  await page.keyboard.press('Tab');
  await page.keyboard.press('Tab');
  await expect(page.getByLabel('Received on')).toBeFocused();
  await page.getByLabel('At a Local 500 event').focus();
  await page.keyboard.press('Space');
  await expect(page.getByLabel('At a Local 500 event')).toBeChecked();
  await page.keyboard.press('Enter'); // submits the step: Next
  await expect(page.getByRole('heading', { name: 'Step 2 of 5: Parties and witnesses' })).toBeVisible();
  await context.close();
});
