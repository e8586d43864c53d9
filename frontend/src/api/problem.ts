/**
 * RFC 9457 problems as the SPA sees them: the error type thrown by API calls, and the sentences a
 * person reads when one fails.
 */

export type ProblemError = { loc: (string | number)[]; msg: string; type?: string | null };

export type Problem = {
  type?: string;
  title?: string;
  status?: number;
  detail?: string | null;
  errors?: ProblemError[] | null;
  [extra: string]: unknown;
};

export class ApiError extends Error {
  readonly status: number;
  readonly problem: Problem;

  constructor(status: number, problem: Problem) {
    super(problemMessage(problem, status));
    this.name = 'ApiError';
    this.status = status;
    this.problem = problem;
  }
}

export function isApiError(error: unknown): error is ApiError {
  return error instanceof ApiError;
}

/** Whatever a server answered, as a Problem (FastAPI's own `{detail: [...]}` included). */
export function toProblem(body: unknown, status: number): Problem {
  if (body && typeof body === 'object') {
    const obj = body as Record<string, unknown>;
    if (Array.isArray(obj.detail)) {
      // FastAPI's default validation body: {detail: [{loc, msg, type}]}
      return { status, title: 'Validation failed', errors: obj.detail as ProblemError[] };
    }
    return { status, ...(obj as Problem) };
  }
  if (typeof body === 'string' && body.trim()) return { status, title: body.trim().slice(0, 300) };
  return { status, title: statusText(status) };
}

function statusText(status: number): string {
  switch (status) {
    case 0:
      return 'The server could not be reached';
    case 400:
      return 'Bad request';
    case 401:
      return 'You are not signed in';
    case 403:
      return 'You are not allowed to do that';
    case 404:
      return 'Not found';
    case 409:
      return 'Conflict';
    case 412:
      return 'Someone else changed this record';
    case 413:
      return 'Too large';
    case 422:
      return 'Some fields are not valid';
    case 429:
      return 'Too many attempts; wait a moment and try again';
    default:
      return status >= 500 ? 'The server had a problem; try again' : `Request failed (${status})`;
  }
}

/** `expected_close_date` -> `expected close date`. */
export function fieldLabel(field: string | number): string {
  return String(field)
    .replace(/^custom_fields\./, '')
    .replace(/_/g, ' ');
}

/** The name of the field an error is about: the last element of its `loc` that is a name. */
export function errorField(error: ProblemError): string | null {
  for (let i = error.loc.length - 1; i >= 0; i--) {
    const part = error.loc[i];
    if (typeof part === 'string' && part !== 'body' && part !== 'query' && part !== 'path') return part;
  }
  return null;
}

/** One readable sentence: the field errors when there are any (they say what to fix), else the detail. */
export function problemMessage(problem: Problem, status: number = problem.status ?? 0): string {
  const errors = problem.errors ?? [];
  if (errors.length > 0) {
    return errors
      .map((e) => {
        const field = errorField(e);
        return field ? `${fieldLabel(field)}: ${e.msg}` : e.msg;
      })
      .join('; ');
  }
  return problem.detail || problem.title || statusText(status);
}

/** Field errors keyed by field name, for showing next to form inputs. */
export function fieldErrors(problem: Problem): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of problem.errors ?? []) {
    const field = errorField(e);
    if (field && !(field in out)) out[field] = e.msg;
  }
  return out;
}

export const STALE_BOARD_MESSAGE = 'This deal was changed by someone else — the board has been refreshed';

/** What to tell someone whose card move was refused. */
export function moveFailureMessage(status: number, problem: Problem, stageName: string): string {
  if (status === 412) return STALE_BOARD_MESSAGE;
  if (status === 422) {
    const fields = [...new Set((problem.errors ?? []).map((e) => errorField(e)).filter((f): f is string => f !== null))];
    if (fields.length > 0) return `${stageName} requires: ${fields.map(fieldLabel).join(', ')}`;
    return `${stageName} cannot take this deal: ${problemMessage(problem, status)}`;
  }
  if (status === 404) return 'This deal no longer exists — the board has been refreshed';
  return `The deal could not be moved: ${problemMessage(problem, status)}`;
}

/** Missing fields a 422 names, e.g. ["lost_reason"]. */
export function missingFields(problem: Problem): string[] {
  return [...new Set((problem.errors ?? []).map(errorField).filter((f): f is string => f !== null))];
}
