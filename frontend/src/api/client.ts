// The one API client: generated types (schema.d.ts) + openapi-fetch. No hand-written fetch.
// The access token lives in this module's memory only: never localStorage or sessionStorage.
import createClient, { type Middleware } from 'openapi-fetch';
import type { components, paths } from './schema';

export type Schemas = components['schemas'];

let accessToken: string | null = null;
let onSessionEnded: (() => void) | null = null;

export function setAccessToken(token: string | null): void {
  accessToken = token;
}

export function hasAccessToken(): boolean {
  return accessToken !== null;
}

/** Called once per expiry when a signed-in request comes back 401. */
export function onUnauthenticated(handler: (() => void) | null): void {
  onSessionEnded = handler;
}

const auth: Middleware = {
  onRequest({ request }) {
    if (accessToken) request.headers.set('Authorization', `Bearer ${accessToken}`);
    return request;
  },
  onResponse({ request, response }) {
    if (response.status === 401 && request.headers.has('Authorization')) {
      accessToken = null;
      onSessionEnded?.();
    }
    return response;
  },
};

// fetch is looked up at call time, so tests can stand in for the network.
export const api = createClient<paths>({ baseUrl: '', fetch: (request: Request) => globalThis.fetch(request) });
api.use(auth);
