// The signed-in session: the access token in memory (api/client.ts), the account, sign-in,
// sign-out, and what happens when the server ends the session (401): back to sign-in,
// remembering where the user was so that signing in again returns there.
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { useLocation, useNavigate } from 'react-router';
import { api, onUnauthenticated, setAccessToken, type Schemas } from '../api/client';
import { ApiError, unwrap } from '../api/problem';
import { clearDrafts } from '../lib/drafts';

export type Me = Schemas['Me'];
export type Role = Schemas['Role'];

interface Session {
  me: Me | null;
  /** Why the user is at the sign-in screen, when it was not their own choice. */
  endedReason: string | null;
  /** The user signed out (no way back to a screen is offered). */
  signedOut: boolean;
  /** `otp`: the one-time code, when the account has a second factor. */
  signIn(username: string, password: string, otp?: string): Promise<Me>;
  signOut(): Promise<void>;
  /** Read the account again (after setting up a second factor). */
  refresh(): Promise<Me>;
  hasRole(...roles: Role[]): boolean;
}

const SessionContext = createContext<Session | null>(null);

export function SessionProvider({ children }: { children: ReactNode }) {
  const [me, setMe] = useState<Me | null>(null);
  const [endedReason, setEndedReason] = useState<string | null>(null);
  const [signedOut, setSignedOut] = useState(false);
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const location = useLocation();

  const here = location.pathname + location.search;
  useEffect(() => {
    onUnauthenticated(() => {
      setMe(null);
      queryClient.clear();
      setEndedReason('Your session has ended. Sign in again to go back to where you were.');
      if (!location.pathname.startsWith('/sign-in')) {
        navigate(`/sign-in?next=${encodeURIComponent(here)}`, { replace: true });
      }
    });
    return () => onUnauthenticated(null);
  }, [navigate, queryClient, here, location.pathname]);

  const signIn = useCallback(async (username: string, password: string, otp?: string) => {
    const token = await unwrap(
      api.POST('/api/auth/token', {
        body: { username, password, grant_type: 'password', scope: '', ...(otp ? { otp } : {}) },
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      }),
    );
    setAccessToken(token.access_token);
    try {
      const account = await unwrap(api.GET('/api/auth/me'));
      setMe(account);
      setEndedReason(null);
      setSignedOut(false);
      return account;
    } catch (e) {
      setAccessToken(null);
      throw e;
    }
  }, []);

  const refresh = useCallback(async () => {
    const account = await unwrap(api.GET('/api/auth/me'));
    setMe(account);
    return account;
  }, []);

  const signOut = useCallback(async () => {
    try {
      await api.POST('/api/auth/logout');
    } catch {
      // Signing out locally matters more than telling the server (the session expires anyway).
    }
    setAccessToken(null);
    setSignedOut(true);
    setMe(null);
    setEndedReason(null);
    queryClient.clear();
    clearDrafts();
  }, [queryClient]);

  const value = useMemo<Session>(
    () => ({
      me,
      endedReason,
      signedOut,
      signIn,
      signOut,
      refresh,
      // A session that must still set up its second factor may do nothing else yet.
      hasRole: (...roles) => !!me && !me.second_factor_pending && roles.some((r) => me.roles.includes(r)),
    }),
    [me, endedReason, signedOut, signIn, signOut, refresh],
  );
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside SessionProvider');
  return session;
}

export function isApiError(e: unknown): e is ApiError {
  return e instanceof ApiError;
}

/** The problem type of a sign-in refused for its second factor, if it was. */
export function secondFactorProblem(e: unknown): 'required' | 'wrong' | null {
  if (!(e instanceof ApiError) || e.status !== 401) return null;
  const type = e.problem.type ?? '';
  if (type.endsWith('second-factor-required')) return 'required';
  if (type.endsWith('second-factor-wrong')) return 'wrong';
  return null;
}

export const SECOND_FACTOR_PATH = '/account/second-factor';

/** Where each role starts. */
export function homeFor(me: Me): string {
  if (me.second_factor_pending) return SECOND_FACTOR_PATH;
  if (me.roles.includes('ombudsperson') || me.roles.includes('staff_resource')) return '/complaints';
  if (me.roles.includes('table_officer')) return '/status';
  if (me.roles.includes('administrator')) return '/admin/users';
  return '/';
}
