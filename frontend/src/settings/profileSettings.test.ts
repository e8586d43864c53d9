import { describe, expect, it } from 'vitest';
import { zoneChoices } from './ProfileSettings';

describe('time zone choices', () => {
  it('adds the zones the browser list misses, once, in order', () => {
    expect(zoneChoices(['Europe/Paris', 'America/New_York'], 'UTC', 'Europe/Paris', null, undefined)).toEqual([
      'America/New_York',
      'Europe/Paris',
      'UTC',
    ]);
  });
});
