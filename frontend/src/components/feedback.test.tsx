import { describe, expect, it, vi } from 'vitest';
import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { ApiError } from '../api/problem';
import { ProblemAlert } from './feedback';

describe('ProblemAlert', () => {
  it('explains a 409 with the steps the stage allows, in words', () => {
    const e = new ApiError(409, {
      title: 'Not allowed at this stage',
      status: 409,
      detail: "'complete_letter' is not allowed while the complaint is at stage 'review'.",
      stage: 'review',
      allowed_actions: ['record_response', 'notify_table_officers'],
    });
    render(<ProblemAlert error={e} />);
    const alert = screen.getByRole('alert');
    expect(alert).toHaveProperty('textContent', expect.stringContaining('Formal: review with the other party'));
    expect(screen.getByText("Record the other party's written response")).toBeTruthy();
    expect(screen.getByText('Tell the table officers')).toBeTruthy();
  });

  it('offers to reload on a 412, saying that what was typed is kept', async () => {
    const onReload = vi.fn();
    render(<ProblemAlert error={new ApiError(412, { title: 'Changed by someone else', status: 412, detail: 'reload' })} onReload={onReload} />);
    expect(screen.getByText('Someone else changed this complaint')).toBeTruthy();
    await userEvent.click(screen.getByRole('button', { name: /Reload the complaint/ }));
    expect(onReload).toHaveBeenCalledOnce();
  });

  it('lists the fields of a 422 in words, never their codes', () => {
    const e = new ApiError(422, {
      title: 'Invalid input',
      status: 422,
      detail: 'Invalid input in: incidents.0.what, what_took_place',
      errors: [
        { field: 'what_took_place', rule: 'string_too_short', message: 'at least 1 character' },
        { field: 'incidents.0.what', rule: 'missing', message: 'Field required' },
        { field: 'occurred_on', rule: 'not_before_route_chosen', message: 'on or after chosen_on' },
      ],
    });
    render(<ProblemAlert error={e} />);
    const text = screen.getByRole('alert').textContent ?? '';
    expect(text).toContain('What took place: at least 1 character');
    expect(text).toContain('Incidents, 1, What happened: Field required');
    expect(text).toContain('Date it happened: on or after chosen on');
    expect(text).not.toContain('what_took_place');
    expect(text).not.toContain('_on');
    expect(text).not.toContain('incidents.0');
  });

  it('shows the messages of a 409 refusing to close while notices are owed', () => {
    const e = new ApiError(409, {
      title: 'Notices owed to the parties',
      status: 409,
      detail: 'Every notice owed to a party must be told or waived first.',
      errors: [{ field: 'party_notices.review.other_party', rule: 'told_or_waived', message: 'The other party has not been told of the review stage.' }],
    });
    render(<ProblemAlert error={e} />);
    const text = screen.getByRole('alert').textContent ?? '';
    expect(text).toContain('The other party has not been told of the review stage.');
    expect(text).not.toContain('party_notices.review');
  });

  it('says the server could not be reached when there is no problem document', () => {
    render(<ProblemAlert error={new TypeError('Failed to fetch')} />);
    expect(screen.getByRole('alert').textContent).toContain('could not be reached');
  });

  it('shows nothing without an error', () => {
    const { container } = render(<ProblemAlert error={null} />);
    expect(container.innerHTML).toBe('');
  });
});
