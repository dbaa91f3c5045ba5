// Query hooks for the member directory and the Units (administrators and ombudspersons).
import { useQuery } from '@tanstack/react-query';
import { api, type Schemas } from '../api/client';
import { unwrap } from '../api/problem';

export type Member = Schemas['MemberOut'];
export type Unit = Schemas['UnitOut'];

export const keys = {
  users: ['users'] as const,
  units: ['units'] as const,
  roster: ['roster'] as const,
  members: (q: string) => ['members', q] as const,
  member: (id: string) => ['member', id] as const,
  accounts: ['service-accounts'] as const,
  tokens: (accountId: string) => ['service-accounts', accountId, 'tokens'] as const,
  audit: (before: number | null) => ['audit', before] as const,
};

export function useUnits() {
  return useQuery({ queryKey: keys.units, queryFn: () => unwrap(api.GET('/api/units')), staleTime: 300_000 });
}

export function useMemberSearch(q: string, enabled = true) {
  return useQuery({
    queryKey: keys.members(q),
    queryFn: () => unwrap(api.GET('/api/members', { params: { query: { limit: 20, ...(q ? { q } : {}) } } })),
    enabled,
  });
}

export function unitName(units: Unit[] | undefined, id: string | null | undefined): string {
  if (!id) return '—';
  const unit = units?.find((u) => u.id === id);
  return unit ? `${unit.code} · ${unit.name}` : '—';
}
