import { afterEach, describe, expect, it, vi } from 'vitest';
import { render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { MemoryRouter, Route, Routes, useLocation } from 'react-router';
import { setAccessToken } from '../api/client';
import { fakeApi } from '../test/http';
import { RequireAuth } from '../auth/guards';
import SignIn from '../auth/SignIn';
import { SECOND_FACTOR_PATH, SessionProvider } from '../auth/session';
import SecondFactorPage from './SecondFactorPage';
import { groupSecret } from './api';

afterEach(() => {
  setAccessToken(null);
  vi.unstubAllGlobals();
});

const ME = {
  id: 'u1',
  username: 'officer-treasurer',
  display_name: 'Treasurer',
  roles: ['table_officer'],
  staff_resource_kind: null,
  second_factor_enabled: false,
  second_factor_pending: true,
};

function Where() {
  return <p data-testid="where">{useLocation().pathname}</p>;
}

describe('setting up a second factor', () => {
  it('groups the key in fours, as it is typed from the screen', () => {
    expect(groupSecret('JBSWY3DPEHPK3PXPJBSW')).toBe('JBSW Y3DP EHPK 3PXP JBSW');
  });

  it('turns it on with a code, then lets a session that was held back go on to its screens', async () => {
    let confirmed = false;
    const { sent } = fakeApi({
      'POST /api/auth/token': { json: { access_token: 'tok', token_type: 'bearer' } },
      'GET /api/auth/me': () => ({ json: confirmed ? { ...ME, second_factor_enabled: true, second_factor_pending: false } : ME }),
      'POST /api/auth/second-factor': { status: 201, json: { secret: 'JBSWY3DPEHPK3PXP', otpauth_uri: 'otpauth://totp/Ombuds:officer-treasurer?secret=JBSWY3DPEHPK3PXP&issuer=Ombuds' } },
      'POST /api/auth/second-factor/confirm': (s) => {
        if (JSON.parse(s.body).code !== '123456') {
          return { status: 422, json: { title: 'Invalid input', status: 422, detail: 'The code is wrong or was already used.', errors: [{ field: 'code', rule: 'totp', message: 'not the current code' }] } };
        }
        confirmed = true;
        return { status: 204 };
      },
    });
    const user = userEvent.setup();
    render(
      <QueryClientProvider client={new QueryClient()}>
        <MemoryRouter initialEntries={['/sign-in?next=/status']}>
          <SessionProvider>
            <Routes>
              <Route path="/sign-in" element={<SignIn />} />
              <Route path={SECOND_FACTOR_PATH} element={<RequireAuth><SecondFactorPage /></RequireAuth>} />
              <Route path="*" element={<RequireAuth><Where /></RequireAuth>} />
            </Routes>
          </SessionProvider>
        </MemoryRouter>
      </QueryClientProvider>,
    );
    await user.type(screen.getByLabelText(/^Username/), 'officer-treasurer');
    await user.type(screen.getByLabelText(/^Password/), 'secret-password');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));

    // Held back: the set-up screen, whatever was asked for.
    expect(await screen.findByText(/Your role must use a second factor/)).toBeTruthy();
    await user.click(screen.getByRole('button', { name: 'Set up a second factor' }));
    expect(await screen.findByText('JBSW Y3DP EHPK 3PXP')).toBeTruthy();
    expect(screen.getByRole('link', { name: 'open this set-up link on the phone' }).getAttribute('href')).toMatch(/^otpauth:\/\//);

    const code = screen.getByLabelText(/One-time code/);
    expect(code.getAttribute('autocomplete')).toBe('one-time-code');
    await user.type(code, '999999');
    await user.click(screen.getByRole('button', { name: 'Turn on the second factor' }));
    expect(await screen.findByText(/The code is wrong or was already used/)).toBeTruthy();
    expect(code.getAttribute('aria-invalid')).toBe('true');

    await user.type(code, '123456');
    await user.click(screen.getByRole('button', { name: 'Turn on the second factor' }));
    await waitFor(() => expect(screen.getByTestId('where').textContent).toBe('/status'));
    expect(sent.filter((s) => s.path === '/api/auth/second-factor/confirm').map((s) => JSON.parse(s.body).code)).toEqual(['999999', '123456']);
  });
});
