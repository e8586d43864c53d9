/** Loading, empty and error states, the same on every screen. */
import type { ReactNode } from 'react';
import { isApiError, type Problem, problemMessage } from '../api/problem';

export function Loading({ label = 'Loading…' }: { label?: string }) {
  return (
    <p className="state state-loading" role="status" aria-live="polite">
      <span className="spinner" aria-hidden="true" />
      {label}
    </p>
  );
}

export function Empty({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="state state-empty">
      <p className="state-title">{title}</p>
      {children ? <div className="state-body">{children}</div> : null}
    </div>
  );
}

export function errorText(error: unknown): string {
  if (isApiError(error)) return error.message;
  if (error instanceof Error) return error.message;
  return 'Something went wrong';
}

export function ErrorState({
  error,
  onRetry,
  title = 'This could not be loaded',
}: {
  error: unknown;
  onRetry?: () => void;
  title?: string;
}) {
  return (
    <div className="state state-error" role="alert">
      <p className="state-title">{title}</p>
      <p>{errorText(error)}</p>
      {onRetry ? (
        <button type="button" className="button" onClick={onRetry}>
          Try again
        </button>
      ) : null}
    </div>
  );
}

/** A failed submission: the problem's detail and each field error. */
export function ProblemAlert({ error }: { error: unknown }) {
  if (!error) return null;
  const problem: Problem | null = isApiError(error) ? error.problem : null;
  const errors = problem?.errors ?? [];
  return (
    <div className="alert alert-error" role="alert">
      {errors.length > 0 ? (
        <>
          {problem?.detail && !errors.some((e) => e.msg === problem.detail) ? <p>{problem.detail}</p> : null}
          <ul>
            {errors.map((e, i) => (
              <li key={i}>{problemMessage({ errors: [e] })}</li>
            ))}
          </ul>
        </>
      ) : (
        <p>{errorText(error)}</p>
      )}
    </div>
  );
}
