import { afterEach, describe, expect, it, vi } from 'vitest';
import { api, hasAccessToken, onUnauthenticated, setAccessToken } from './client';
import { ApiError, unwrap, unwrapWithEtag } from './problem';
import { fakeApi } from '../test/http';

afterEach(() => {
  setAccessToken(null);
  onUnauthenticated(null);
  vi.unstubAllGlobals();
});

describe('the API client', () => {
  it('sends the in-memory token as a bearer token', async () => {
    const { sent } = fakeApi({ 'GET /api/units': { json: [] } });
    setAccessToken('tok-123');
    await unwrap(api.GET('/api/units'));
    expect(sent[0]?.headers.get('Authorization')).toBe('Bearer tok-123');
  });

  it('forgets the token and reports the end of the session on a 401', async () => {
    fakeApi({ 'GET /api/units': { status: 401, json: { title: 'Authentication required', status: 401, detail: 'The session has expired; sign in again.' } } });
    const ended = vi.fn();
    onUnauthenticated(ended);
    setAccessToken('tok-123');
    await expect(unwrap(api.GET('/api/units'))).rejects.toBeInstanceOf(ApiError);
    expect(ended).toHaveBeenCalledOnce();
    expect(hasAccessToken()).toBe(false);
  });

  it('does not report a failed sign-in as an ended session', async () => {
    fakeApi({ 'POST /api/auth/token': { status: 401, json: { title: 'Sign-in failed', status: 401, detail: 'Incorrect username or password.' } } });
    const ended = vi.fn();
    onUnauthenticated(ended);
    const call = api.POST('/api/auth/token', {
      body: { username: 'a', password: 'b', scope: '' },
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    });
    await expect(unwrap(call)).rejects.toMatchObject({ status: 401, problem: { detail: 'Incorrect username or password.' } });
    expect(ended).not.toHaveBeenCalled();
  });

  it('sends the sign-in as a form, as OAuth2 requires', async () => {
    const { sent } = fakeApi({ 'POST /api/auth/token': { json: { access_token: 't', token_type: 'bearer' } } });
    await unwrap(
      api.POST('/api/auth/token', {
        body: { username: 'ombuds-u1', password: 'p w', grant_type: 'password', scope: '' },
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      }),
    );
    expect(new URLSearchParams(sent[0]?.body).get('password')).toBe('p w');
  });

  it('returns the ETag with the data', async () => {
    fakeApi({ 'GET /api/units': { json: [], headers: { ETag: '"abc-v3"' } } });
    await expect(unwrapWithEtag(api.GET('/api/units'))).resolves.toEqual({ data: [], etag: '"abc-v3"' });
  });

  it('turns a problem into field errors by path', () => {
    const e = new ApiError(422, {
      title: 'Invalid input',
      status: 422,
      detail: 'Invalid input in: incidents.0.what',
      errors: [
        { field: 'incidents.0.what', rule: 'string_too_short', message: 'too short' },
        { field: 'incidents.0.what', rule: 'x', message: 'again' },
        { field: 'setting', rule: 'enum', message: 'bad' },
      ],
    });
    expect(e.fieldErrors()).toEqual({ 'incidents.0.what': 'too short; again', setting: 'bad' });
  });
});
