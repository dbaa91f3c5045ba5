// A stand-in for the network in component and hook tests: answers by method and path,
// and records every request the generated client sent.
import { vi } from 'vitest';

export interface Sent {
  method: string;
  path: string;
  headers: Headers;
  body: string;
}

type Answer = { status?: number; json?: unknown; headers?: Record<string, string> };
type Handler = (sent: Sent) => Answer;

export function fakeApi(routes: Record<string, Handler | Answer>) {
  const sent: Sent[] = [];
  const fetchMock = vi.fn(async (request: Request) => {
    const url = new URL(request.url, 'http://localhost');
    const s: Sent = { method: request.method, path: url.pathname + url.search, headers: request.headers, body: await request.text() };
    sent.push(s);
    const key = `${request.method} ${url.pathname}`;
    const route = routes[key];
    if (!route) return new Response(JSON.stringify({ title: 'Not found', status: 404, detail: key }), { status: 404 });
    const a = typeof route === 'function' ? route(s) : route;
    const status = a.status ?? 200;
    return new Response(status === 204 ? null : JSON.stringify(a.json ?? {}), {
      status,
      headers: { 'Content-Type': status >= 400 ? 'application/problem+json' : 'application/json', ...(a.headers ?? {}) },
    });
  });
  vi.stubGlobal('fetch', fetchMock);
  return { sent, fetchMock };
}
