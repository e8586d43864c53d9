/**
 * The one HTTP client: openapi-fetch typed by the generated schema, sending the session cookie,
 * echoing the CSRF cookie on every state-changing request, and reporting a lost session.
 */
import createClient, { type Middleware } from 'openapi-fetch';
import { readCookie } from '../lib/cookies';
import type { paths as Paths } from './schema';
import { ApiError, toProblem } from './problem';

export const CSRF_COOKIE = 'rapport_csrf';
export const CSRF_HEADER = 'X-CSRF-Token';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

let onUnauthorized: () => void = () => {};

/** The app shell registers what a 401 on an authenticated call should do (go to /login). */
export function setUnauthorizedHandler(handler: () => void): void {
  onUnauthorized = handler;
}

export const csrfMiddleware: Middleware = {
  onRequest({ request }) {
    if (!SAFE_METHODS.has(request.method.toUpperCase())) {
      const token = readCookie(CSRF_COOKIE);
      if (token) request.headers.set(CSRF_HEADER, token);
    }
    return request;
  },
};

const unauthorizedMiddleware: Middleware = {
  onResponse({ request, response }) {
    // A wrong password on /auth/login is a 401 too; that one is the form's to show.
    if (response.status === 401 && !new URL(request.url).pathname.startsWith('/api/v1/auth/')) {
      onUnauthorized();
    }
    return response;
  },
};

export const api = createClient<Paths>({
  baseUrl: typeof window === 'undefined' ? 'http://localhost' : window.location.origin,
  credentials: 'same-origin',
});
api.use(csrfMiddleware, unauthorizedMiddleware);

type FetchResult<T> = { data?: T; error?: unknown; response: Response };

/** The data of a successful call; any other answer is thrown as an ApiError. */
export async function unwrap<T>(call: Promise<FetchResult<T>>): Promise<T> {
  let result: FetchResult<T>;
  try {
    result = await call;
  } catch (cause) {
    throw new ApiError(0, { title: 'The server could not be reached', detail: String(cause) });
  }
  if (!result.response.ok) throw new ApiError(result.response.status, toProblem(result.error, result.response.status));
  return result.data as T;
}

/** `If-Match` for a record at `version` (a strong ETag, as the API sends it). */
export function ifMatch(version: number | string): { 'If-Match': string } {
  return { 'If-Match': `"${version}"` };
}
