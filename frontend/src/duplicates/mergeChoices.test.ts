import { describe, expect, it } from 'vitest';
import { CONTACT_FIELDS, defaultChoices, differingFields, groupsWith, mergeBody, reasonText } from './mergeChoices';

const keep = { id: 'k', first_name: 'Ada', last_name: 'Lovelace', email: 'ada@x.io', phone: null, title: '' };
const dupe = { id: 'd', first_name: 'Ada', last_name: 'King', email: 'ada@x.io', phone: '+441234', title: 'Countess' };

describe('merge choices', () => {
  it('asks only about fields whose values differ', () => {
    expect(differingFields(CONTACT_FIELDS, [keep, dupe]).map((f) => f.field)).toEqual(['last_name', 'phone', 'title']);
  });

  it('defaults to the survivor’s value, and to the duplicate’s where the survivor has none', () => {
    expect(defaultChoices(CONTACT_FIELDS, keep, [dupe])).toEqual({ last_name: 'k', phone: 'd', title: 'd' });
  });

  it('states every choice in the body, and nothing about records not in the merge', () => {
    expect(mergeBody('k', ['d'], { last_name: 'd', phone: 'd', title: 'x' })).toEqual({
      source_ids: ['d'],
      fields: { last_name: 'd', phone: 'd' },
    });
    expect(mergeBody('k', ['d'], {})).toEqual({ source_ids: ['d'], fields: null });
  });

  it('finds the groups a record is in, with the other records of each', () => {
    const groups = [
      { record_ids: ['a', 'b'], score: 100 },
      { record_ids: ['c', 'a', 'e'], score: 80 },
      { record_ids: ['x', 'y'], score: 90 },
    ];
    expect(groupsWith(groups, 'a').map((g) => g.others)).toEqual([['b'], ['c', 'e']]);
    expect(groupsWith(groups, 'z')).toEqual([]);
  });

  it('says why records look alike in words', () => {
    expect(reasonText(['same_email', 'swapped_names', 'brand_new_reason'])).toBe(
      'same email, first and last name swapped, brand new reason',
    );
  });
});
