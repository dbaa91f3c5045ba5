import { afterEach, describe, expect, it, vi } from 'vitest';
import { render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { MemoryRouter, Route, Routes, useLocation } from 'react-router';
import { setAccessToken } from '../api/client';
import { fakeApi, type Sent } from '../test/http';
import { RequireAuth } from './guards';
import SignIn from './SignIn';
import { SECOND_FACTOR_PATH, SessionProvider } from './session';

afterEach(() => {
  setAccessToken(null);
  vi.unstubAllGlobals();
});

const BASE = 'https://ombuds.example/problems/';
const ME = {
  id: 'u1',
  username: 'ombuds-u1',
  display_name: 'Ombudsperson U1',
  roles: ['ombudsperson'],
  staff_resource_kind: null,
  second_factor_enabled: true,
  second_factor_pending: false,
};

function Where() {
  const location = useLocation();
  return <p data-testid="where">{location.pathname}</p>;
}

function app(start = '/sign-in') {
  return render(
    <QueryClientProvider client={new QueryClient()}>
      <MemoryRouter initialEntries={[start]}>
        <SessionProvider>
          <Routes>
            <Route path="/sign-in" element={<SignIn />} />
            <Route path="*" element={<RequireAuth><Where /></RequireAuth>} />
            <Route path={SECOND_FACTOR_PATH} element={<RequireAuth><p>set-up screen</p></RequireAuth>} />
          </Routes>
        </SessionProvider>
      </MemoryRouter>
    </QueryClientProvider>,
  );
}

const form = (s: Sent) => new URLSearchParams(s.body);

describe('signing in with a second factor', () => {
  it('asks for the code, keeps the username and password, and shows a wrong code next to its field', async () => {
    const { sent } = fakeApi({
      'POST /api/auth/token': (s) => {
        const otp = form(s).get('otp');
        if (!otp) return { status: 401, json: { type: `${BASE}second-factor-required`, title: 'Second factor required', status: 401, detail: 'Enter the 6-digit code from your authenticator app.' } };
        if (otp !== '123456') return { status: 401, json: { type: `${BASE}second-factor-wrong`, title: 'Second factor refused', status: 401, detail: 'The code is wrong or was already used.' } };
        return { json: { access_token: 'tok', token_type: 'bearer' } };
      },
      'GET /api/auth/me': { json: ME },
    });
    const user = userEvent.setup();
    app('/sign-in?next=/complaints');
    await user.type(screen.getByLabelText(/^Username/), 'ombuds-u1');
    await user.type(screen.getByLabelText(/^Password/), 'secret-password');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));

    const code = await screen.findByLabelText(/One-time code/);
    expect(code.getAttribute('inputmode')).toBe('numeric');
    expect(code.getAttribute('autocomplete')).toBe('one-time-code');
    expect(screen.getByLabelText(/^Username/)).toHaveProperty('value', 'ombuds-u1');
    expect(screen.getByLabelText(/^Password/)).toHaveProperty('value', 'secret-password');
    expect(screen.queryByRole('alert')).toBeNull();

    await user.type(code, '654321');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));
    const error = await screen.findByText('The code is wrong or was already used.');
    expect(code.getAttribute('aria-invalid')).toBe('true');
    expect(code.getAttribute('aria-describedby')).toContain(error.id);
    expect(form(sent[1]!).get('password')).toBe('secret-password');

    await user.type(code, '123456');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));
    await waitFor(() => expect(screen.getByTestId('where').textContent).toBe('/complaints'));
    expect(form(sent[2]!).get('otp')).toBe('123456');
    expect(form(sent[2]!).get('username')).toBe('ombuds-u1');
  });

  it('sends no code when none was asked for, and a wrong password clears only the password', async () => {
    const { sent } = fakeApi({
      'POST /api/auth/token': { status: 401, json: { type: `${BASE}login-failed`, title: 'Sign-in failed', status: 401, detail: 'Incorrect username or password.' } },
    });
    const user = userEvent.setup();
    app();
    await user.type(screen.getByLabelText(/^Username/), 'admin');
    await user.type(screen.getByLabelText(/^Password/), 'wrong');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));
    expect((await screen.findByRole('alert')).textContent).toContain('Incorrect username or password.');
    expect(form(sent[0]!).has('otp')).toBe(false);
    expect(screen.queryByLabelText(/One-time code/)).toBeNull();
    expect(screen.getByLabelText(/^Password/)).toHaveProperty('value', '');
    expect(screen.getByLabelText(/^Username/)).toHaveProperty('value', 'admin');
  });

  it('takes a session that must still set up its second factor to the set-up screen, whatever was asked for', async () => {
    fakeApi({
      'POST /api/auth/token': { json: { access_token: 'tok', token_type: 'bearer' } },
      'GET /api/auth/me': { json: { ...ME, second_factor_enabled: false, second_factor_pending: true } },
    });
    const user = userEvent.setup();
    app('/sign-in?next=/complaints');
    await user.type(screen.getByLabelText(/^Username/), 'ombuds-u1');
    await user.type(screen.getByLabelText(/^Password/), 'secret-password');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));
    expect(await screen.findByText('set-up screen')).toBeTruthy();
    expect(screen.queryByTestId('where')).toBeNull();
  });
});
