/**
 * Who may change settings: admins edit, members read. The API is the judge (a member's write is a
 * 403); these helpers only keep members from filling in forms they cannot send.
 */
import type { ReactNode } from 'react';
import { isApiError } from '../api/problem';
import { useMe } from '../auth/session';
import { ErrorState, Loading, ProblemAlert } from '../ui/States';

export function useIsAdmin(): boolean {
  const me = useMe();
  return me.data?.role === 'admin';
}

export const READ_ONLY_NOTE = 'Only admins can change these settings; you can view them.';

/** The note members see above a section they may read but not change. */
export function ReadOnlyNote() {
  const admin = useIsAdmin();
  if (admin) return null;
  return (
    <p className="note" role="note">
      {READ_ONLY_NOTE}
    </p>
  );
}

export function isForbidden(error: unknown): boolean {
  return isApiError(error) && error.status === 403;
}

/** A refused write: a 403 reads as what it means here; anything else as the problem says. */
export function SaveError({ error }: { error: unknown }) {
  if (!error) return null;
  if (isForbidden(error)) {
    return (
      <div className="alert alert-error" role="alert">
        <p>Only admins can change settings.</p>
      </div>
    );
  }
  return <ProblemAlert error={error} />;
}

type QueryLike = { isPending: boolean; isError: boolean; error: unknown; refetch: () => unknown };

/**
 * Loading, error, or the content. Lists only admins may read (API keys, webhooks, forms) answer a
 * member 403: that is shown as a note, not as a failure.
 */
export function QueryGate({ query, what, children }: { query: QueryLike; what: string; children: () => ReactNode }) {
  if (query.isPending) return <Loading label={`Loading ${what}…`} />;
  if (query.isError) {
    if (isForbidden(query.error)) {
      return (
        <p className="note" role="note">
          Only admins can see {what}.
        </p>
      );
    }
    return <ErrorState error={query.error} onRetry={() => void query.refetch()} />;
  }
  return <>{children()}</>;
}
