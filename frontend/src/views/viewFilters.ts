/**
 * A list's filters and sort live in the address (?q=…&owner_id=…&sort=…) so a view, a link and
 * the back button agree; these turn the address into a saved view's body and back.
 */

/** Address parameters that are paging or page state, never a filter a view keeps. */
const NOT_FILTERS = new Set(['cursor', 'limit', 'sort', 'view']);

export type ListQuery = Record<string, string>;

/** The filters (every non-empty parameter but paging) and sort of the list's address. */
export function viewFromParams(params: URLSearchParams): { filters: ListQuery; sort: string | null } {
  const filters: ListQuery = {};
  for (const [key, value] of params) {
    if (!NOT_FILTERS.has(key) && value.trim() !== '') filters[key] = value;
  }
  const sort = params.get('sort');
  return { filters, sort: sort ? sort : null };
}

/** The address that shows a view: its filters (null and empty ones left out), its sort, its id. */
export function paramsFromView(view: { id?: string; filters: Record<string, unknown>; sort: string | null }): ListQuery {
  const out: ListQuery = {};
  for (const [key, value] of Object.entries(view.filters)) {
    if (value === null || value === undefined || value === '') continue;
    out[key] = Array.isArray(value) ? value.join(',') : String(value);
  }
  if (view.sort) out.sort = view.sort;
  if (view.id) out.view = view.id;
  return out;
}

/** The query a list route is sent: the address's filters and sort (the view id stays in the SPA). */
export function listQuery(params: URLSearchParams): ListQuery {
  const { filters, sort } = viewFromParams(params);
  return sort ? { ...filters, sort } : filters;
}
