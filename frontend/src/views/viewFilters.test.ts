import { describe, expect, it } from 'vitest';
import { listQuery, paramsFromView, viewFromParams } from './viewFilters';

describe('saved view filters', () => {
  it('saves the address filters and sort, not paging or the view id', () => {
    const params = new URLSearchParams('q=acme&tag=vip&sort=-last_name&cursor=abc&view=v1&owner_id=');
    expect(viewFromParams(params)).toEqual({ filters: { q: 'acme', tag: 'vip' }, sort: '-last_name' });
  });

  it('has no sort when the address has none', () => {
    expect(viewFromParams(new URLSearchParams('q=x')).sort).toBeNull();
  });

  it('applies a view: its filters without nulls, its sort and its id into the address', () => {
    const view = { id: 'v1', filters: { q: 'acme', owner_id: null, tag: 'vip' }, sort: 'email' };
    expect(paramsFromView(view)).toEqual({ q: 'acme', tag: 'vip', sort: 'email', view: 'v1' });
  });

  it('sends the list route the filters and sort of an applied view, and round-trips', () => {
    const params = new URLSearchParams(paramsFromView({ id: 'v1', filters: { tag: 'vip' }, sort: '-created_at' }));
    expect(listQuery(params)).toEqual({ tag: 'vip', sort: '-created_at' });
    const again = viewFromParams(params);
    expect(paramsFromView({ ...again, id: 'v1' })).toEqual(Object.fromEntries(params));
  });
});
