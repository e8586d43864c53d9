/** Workspace-wide data many screens read: the workspace (its currency) and its members. */
import { useQuery } from '@tanstack/react-query';
import { useMemo } from 'react';
import { api, unwrap } from '../api/client';
import { keys } from '../api/keys';
import type { Member } from '../api/types';

export function useWorkspace() {
  return useQuery({ queryKey: keys.workspace, queryFn: () => unwrap(api.GET('/api/v1/workspace')), staleTime: 5 * 60_000 });
}

export function useMembers() {
  return useQuery({
    queryKey: keys.members,
    queryFn: () => unwrap(api.GET('/api/v1/members')),
    staleTime: 5 * 60_000,
  });
}

/** Member names by id, for showing owners. */
export function useMemberNames(): Map<string, string> {
  const members = useMembers();
  return useMemo(() => {
    const names = new Map<string, string>();
    for (const m of (members.data?.items ?? []) as Member[]) names.set(m.id, m.name || m.email);
    return names;
  }, [members.data]);
}
