import { describe, expect, it } from 'vitest';
import { hitHref } from './GlobalSearch';

const base = { title: 'x', subtitle: null, score: 1 } as const;

describe('hitHref', () => {
  it('opens a record on its own page', () => {
    expect(hitHref({ ...base, object: 'contacts', id: 'c1' })).toBe('/contacts/c1');
    expect(hitHref({ ...base, object: 'accounts', id: 'a1' })).toBe('/accounts/a1');
    expect(hitHref({ ...base, object: 'deals', id: 'd1' })).toBe('/deals/d1');
  });

  it('opens an activity on the page of what it belongs to, or nowhere', () => {
    expect(hitHref({ ...base, object: 'activities', id: 't1', about: { object: 'deals', id: 'd1' } })).toBe('/deals/d1');
    expect(hitHref({ ...base, object: 'activities', id: 't1', about: null })).toBeNull();
  });
});
