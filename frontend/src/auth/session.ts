/** Who is signed in, and signing in and out (the server keeps the session in its cookie). */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '../api/client';
import { keys } from '../api/keys';
import type { Me } from '../api/types';
import { isApiError } from '../api/problem';

export function useMe() {
  return useQuery({
    queryKey: keys.me,
    queryFn: () => unwrap(api.GET('/api/v1/me')),
    staleTime: 5 * 60_000,
    retry: (count, error) => !(isApiError(error) && error.status < 500) && count < 2,
  });
}

export type LoginInput = { email: string; password: string };
export type SignupInput = { email: string; password: string; name: string; workspace_name: string };

function asMe(out: { user: Me['user']; workspace: Me['workspace']; role: Me['role'] }): Me {
  // Login does not say the workspace's zone; the person's own (or UTC) until /me is read again.
  const timezone = out.user.timezone ?? 'UTC';
  return { user: out.user, workspace: out.workspace, role: out.role, auth: 'user', timezone };
}

export function useLogin() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: LoginInput) => unwrap(api.POST('/api/v1/auth/login', { body })),
    onSuccess: (out) => {
      queryClient.clear();
      queryClient.setQueryData(keys.me, asMe(out));
    },
  });
}

export function useSignup() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: SignupInput) => unwrap(api.POST('/api/v1/auth/signup', { body })),
    onSuccess: (out) => {
      queryClient.clear();
      queryClient.setQueryData(keys.me, asMe(out));
    },
  });
}

export function useLogout() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: () => unwrap(api.POST('/api/v1/auth/logout')),
    // Signed out either way: a 401 means the session had already ended.
    onSettled: () => queryClient.clear(),
  });
}
