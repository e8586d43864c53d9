import { describe, expect, it } from 'vitest';
import { show } from './Timeline';

describe('timeline values', () => {
  it('reads an emails list as its addresses, with label and primary', () => {
    expect(
      show([
        { email: 'a@x.example', label: 'work', primary: true },
        { email: 'b@y.example', label: null, primary: false },
      ]),
    ).toBe('a@x.example (work, primary), b@y.example');
    expect(show([{ phone: '+14155550100', label: null, primary: true }])).toBe('+14155550100 (primary)');
    expect(show([])).toBe('—');
  });

  it('keeps other objects as JSON', () => {
    expect(show({ a: 1 })).toBe('{"a":1}');
    expect(show(['x'])).toBe('["x"]');
  });
});
