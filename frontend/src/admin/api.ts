// Query hooks for the administrator's screens (accounts, directory, roster, integrations, audit).
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, type Schemas } from '../api/client';
import { unwrap } from '../api/problem';
import { keys } from '../directory/api';

export { keys, useMemberSearch, useUnits } from '../directory/api';

export type User = Schemas['UserForAdministrator'];
export type Unit = Schemas['UnitOut'];
export type Member = Schemas['MemberOut'];
export type Seat = Schemas['SeatOut'];
export type ServiceAccount = Schemas['ServiceAccountOut'];
export type ApiToken = Schemas['ApiTokenOut'];
export type ImportReport = Schemas['MemberImportReport'];

/** Every user account (the list is paged by the API; an office has few). */
export function useUsers() {
  return useQuery({
    queryKey: keys.users,
    queryFn: async () => {
      const all: User[] = [];
      let cursor: string | null = null;
      do {
        const page: Schemas['Page_UserForAdministrator_'] = await unwrap(
          api.GET('/api/users', { params: { query: { limit: 200, ...(cursor ? { cursor } : {}) } } }),
        );
        all.push(...page.items);
        cursor = page.next_cursor;
      } while (cursor);
      return all;
    },
  });
}

export function useCreateUser() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: Schemas['UserCreate']) => unwrap(api.POST('/api/users', { body })),
    onSuccess: () => qc.invalidateQueries({ queryKey: keys.users }),
  });
}

export function useSetRoles() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ userId, body }: { userId: string; body: Schemas['UserRolesUpdate'] }) =>
      unwrap(api.PUT('/api/users/{user_id}/roles', { params: { path: { user_id: userId } }, body })),
    onSuccess: () => qc.invalidateQueries({ queryKey: keys.users }),
  });
}

export function useLinkMember() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ userId, memberId }: { userId: string; memberId: string | null }) =>
      unwrap(
        api.PUT('/api/users/{user_id}/member', { params: { path: { user_id: userId } }, body: { member_id: memberId } }),
      ),
    onSuccess: () => qc.invalidateQueries({ queryKey: keys.users }),
  });
}

export function useSetActive() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ userId, active }: { userId: string; active: boolean }) =>
      unwrap(
        active
          ? api.POST('/api/users/{user_id}/reactivate', { params: { path: { user_id: userId } } })
          : api.POST('/api/users/{user_id}/deactivate', { params: { path: { user_id: userId } } }),
      ),
    onSuccess: () => qc.invalidateQueries({ queryKey: keys.users }),
  });
}

export function useCreateUnit() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: Schemas['UnitCreate']) => unwrap(api.POST('/api/units', { body })),
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: keys.units });
      void qc.invalidateQueries({ queryKey: keys.roster });
    },
  });
}

export function useRoster() {
  return useQuery({ queryKey: keys.roster, queryFn: () => unwrap(api.GET('/api/roster')) });
}

export function useAddTerm() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ seatId, body }: { seatId: string; body: Schemas['SeatTermCreate'] }) =>
      unwrap(api.POST('/api/roster/seats/{seat_id}/terms', { params: { path: { seat_id: seatId } }, body })),
    onSuccess: () => qc.invalidateQueries({ queryKey: keys.roster }),
  });
}

export function useEndTerm() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ termId, endsOn }: { termId: string; endsOn: string }) =>
      unwrap(api.POST('/api/roster/terms/{term_id}/end', { params: { path: { term_id: termId } }, body: { ends_on: endsOn } })),
    onSuccess: () => qc.invalidateQueries({ queryKey: keys.roster }),
  });
}

export function useAddTraining() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ userId, body }: { userId: string; body: Schemas['TrainingCreate'] }) =>
      unwrap(
        api.POST('/api/roster/ombudspersons/{user_id}/training', { params: { path: { user_id: userId } }, body }),
      ),
    onSuccess: () => qc.invalidateQueries({ queryKey: keys.roster }),
  });
}

export function useCreateMember() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: Schemas['MemberCreate']) => unwrap(api.POST('/api/members', { body })),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['members'] }),
  });
}

export function useImportMembers() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ file, dryRun }: { file: File; dryRun: boolean }) =>
      unwrap(
        api.POST('/api/members/import', {
          params: { query: { dry_run: dryRun } },
          // The generated type names the part; the browser sends the file itself.
          body: { file: file as unknown as string },
          bodySerializer: () => {
            const form = new FormData();
            form.append('file', file, file.name);
            return form;
          },
        }),
      ),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['members'] }),
  });
}

export function useServiceAccounts() {
  return useQuery({ queryKey: keys.accounts, queryFn: () => unwrap(api.GET('/api/service-accounts')) });
}

export function useCreateServiceAccount() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (name: string) => unwrap(api.POST('/api/service-accounts', { body: { name } })),
    onSuccess: () => qc.invalidateQueries({ queryKey: keys.accounts }),
  });
}

export function useTokens(accountId: string) {
  return useQuery({
    queryKey: keys.tokens(accountId),
    queryFn: () =>
      unwrap(api.GET('/api/service-accounts/{account_id}/tokens', { params: { path: { account_id: accountId } } })),
  });
}

export function useIssueToken(accountId: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: Schemas['ApiTokenCreate']) =>
      unwrap(api.POST('/api/service-accounts/{account_id}/tokens', { params: { path: { account_id: accountId } }, body })),
    onSuccess: () => qc.invalidateQueries({ queryKey: keys.tokens(accountId) }),
  });
}

export function useRevokeToken(accountId: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (tokenId: string) =>
      unwrap(
        api.POST('/api/service-accounts/{account_id}/tokens/{token_id}/revoke', {
          params: { path: { account_id: accountId, token_id: tokenId } },
        }),
      ),
    onSuccess: () => qc.invalidateQueries({ queryKey: keys.tokens(accountId) }),
  });
}

export function useAudit(before: number | null) {
  return useQuery({
    queryKey: keys.audit(before),
    queryFn: () => unwrap(api.GET('/api/audit-entries', { params: { query: { limit: 50, ...(before ? { before } : {}) } } })),
  });
}

export type RegisterEntry = Schemas['RegisterEntry'];

/** The disclosure register (5.1), newest first, a page at a time (`cursor` from the last page). */
export function useDisclosureRegister(cursor: string | null) {
  return useQuery({
    queryKey: ['disclosure-register', cursor] as const,
    queryFn: () => unwrap(api.GET('/api/disclosures', { params: { query: { limit: 50, ...(cursor ? { cursor } : {}) } } })),
  });
}

/** A recipient as recorded; one who is no user of this system is marked so. */
export function recipientText(r: Schemas['RegisterRecipient']): string {
  return r.user_id ? r.recipient : `${r.recipient} (no account here)`;
}
