import { describe, expect, it } from 'vitest';
import type { CustomField } from '../api/types';
import { keyFromLabel } from '../settings/CustomFields';
import { displayValue, inputValue, patchValue } from './CustomFieldsPanel';

function field(type: CustomField['type'], options: string[] = []): CustomField {
  return {
    id: 'f',
    object: 'deals',
    key: 'k',
    label: 'K',
    type,
    options,
    required: false,
    position: 0,
    version: 1,
    created_at: '2026-01-01T00:00:00Z',
    updated_at: '2026-01-01T00:00:00Z',
  };
}

describe('custom field values', () => {
  it('turns a label into a key that never changes', () => {
    expect(keyFromLabel('Contract end')).toBe('contract_end');
    expect(keyFromLabel('  Café / Size ')).toBe('cafe_size');
    expect(keyFromLabel('2nd owner')).toBe('f_2nd_owner');
    expect(keyFromLabel('!!!')).toBe('');
  });

  it('edits booleans and multi-selects as text and sends them typed', () => {
    expect(inputValue(field('bool'), false)).toBe('false');
    expect(patchValue(field('bool'), 'false')).toBe(false);
    expect(patchValue(field('bool'), '')).toBeNull();
    expect(inputValue(field('multi_select'), ['A', 'B'])).toBe('A; B');
    expect(patchValue(field('multi_select'), 'A; B,')).toEqual(['A', 'B']);
    expect(patchValue(field('number'), '12.5')).toBe('12.5');
  });

  it('reads values as people write them', () => {
    expect(displayValue(field('bool'), true, 'USD')).toBe('Yes');
    expect(displayValue(field('money'), '1500.00', 'USD')).toBe('$1,500.00');
    expect(displayValue(field('multi_select'), ['A', 'B'], 'USD')).toBe('A, B');
    expect(displayValue(field('text'), undefined, 'USD')).toBe('—');
  });
});
