import { describe, expect, it } from 'vitest';
import { render } from '@testing-library/react';
import type { Schemas } from '../api/client';
import { DeadlineStatus } from './Deadline';

const shown = (status: Schemas['DeadlineStatus'], overdue: boolean) => render(<DeadlineStatus status={status} overdue={overdue} />).container.textContent;

describe('a deadline status', () => {
  it('tells met, met late, lapsed and cancelled apart', () => {
    const texts = [shown('met', false), shown('met_late', false), shown('lapsed', false), shown('cancelled', false)];
    expect(texts).toEqual(['Met', 'Met late', 'Lapsed: the procedure went on without it', 'Cancelled: no longer owed']);
    expect(new Set(texts).size).toBe(4);
  });

  it('says overdue only of an open deadline the API calls overdue', () => {
    expect(shown('open', true)).toBe('Overdue');
    expect(shown('open', false)).toBe('Open');
    // A deadline met after its date is met late, not overdue; a lapsed one is owed no more.
    expect(shown('met_late', true)).toBe('Met late');
    expect(shown('lapsed', true)).toBe('Lapsed: the procedure went on without it');
  });
});
