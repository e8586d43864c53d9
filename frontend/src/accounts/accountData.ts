/** Accounts: a searchable, paged list, one account, creating and editing them. */
import { keepPreviousData, useMutation, useQueries, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, ifMatch, unwrap } from '../api/client';
import { keys } from '../api/keys';
import type { ListQuery } from '../views/viewFilters';
import type { Account } from '../api/types';

/** A page of accounts: `query` holds the list's filters and sort as the address has them (a saved view's). */
export function useAccounts(q: string, cursor: string | null, query: ListQuery = {}) {
  return useQuery({
    queryKey: [...keys.accounts(q, cursor), query],
    queryFn: () =>
      unwrap(
        api.GET('/api/v1/accounts', {
          params: { query: { ...query, ...(q ? { q } : {}), ...(cursor ? { cursor } : {}), limit: 25 } },
        }),
      ),
    placeholderData: keepPreviousData,
  });
}

export function useAccount(id: string | null | undefined) {
  return useQuery({
    queryKey: keys.account(id ?? ''),
    enabled: Boolean(id),
    queryFn: () => fetchAccount(id!),
  });
}

function fetchAccount(id: string) {
  return unwrap(api.GET('/api/v1/accounts/{account_id}', { params: { path: { account_id: id } } }));
}

/**
 * Account names by id for the accounts that `ids` name (cards on the board carry only
 * `account_id`). One cached GET per distinct account, shared with the account pages.
 */
export function useAccountNames(ids: readonly string[]): Map<string, string> {
  const unique = [...new Set(ids)].sort();
  return useQueries({
    queries: unique.map((id) => ({ queryKey: keys.account(id), queryFn: () => fetchAccount(id), staleTime: 5 * 60_000 })),
    combine: (results) => {
      const names = new Map<string, string>();
      results.forEach((r, i) => {
        if (r.data) names.set(unique[i]!, r.data.name);
      });
      return names;
    },
  });
}

export type NewAccount = { name: string; domain?: string };

export function useCreateAccount() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: NewAccount) => unwrap(api.POST('/api/v1/accounts', { body })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: keys.accountsAll }),
  });
}

export function useUpdateAccount(account: Account | undefined) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (patch: Record<string, string | null>) => {
      if (!account) throw new Error('The account has not loaded');
      return unwrap(
        api.PATCH('/api/v1/accounts/{account_id}', {
          params: { path: { account_id: account.id } },
          body: patch,
          headers: ifMatch(account.version),
        }),
      );
    },
    onSuccess: (updated) => {
      queryClient.setQueryData(keys.account(updated.id), updated);
      void queryClient.invalidateQueries({ queryKey: keys.accountsAll });
      void queryClient.invalidateQueries({ queryKey: keys.timeline('accounts', updated.id) });
    },
    onError: () => account && queryClient.invalidateQueries({ queryKey: keys.account(account.id) }),
  });
}
