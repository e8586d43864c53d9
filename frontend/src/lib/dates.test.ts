import { describe, expect, it } from 'vitest';
import { dateInputToDueAt, daysSince, isIdle } from './dates';

describe('isIdle', () => {
  const now = new Date('2026-11-23T12:00:00Z');

  it('is true once a deal has sat in its stage longer than the stage allows', () => {
    expect(isIdle('2026-11-01T12:00:00Z', 14, now)).toBe(true);
    expect(isIdle('2026-11-15T12:00:00Z', 14, now)).toBe(false);
    expect(isIdle('2026-11-09T12:00:00Z', 14, now)).toBe(false); // exactly 14 days: not yet
  });

  it('is false for stages without a limit and for unreadable dates', () => {
    expect(isIdle('2020-01-01T00:00:00Z', null, now)).toBe(false);
    expect(isIdle('2020-01-01T00:00:00Z', 0, now)).toBe(false);
    expect(isIdle('not a date', 3, now)).toBe(false);
  });

  it('counts whole days', () => {
    expect(daysSince('2026-11-20T13:00:00Z', now)).toBe(2);
  });
});

describe('dateInputToDueAt', () => {
  it('turns a date input into a local end-of-working-day time', () => {
    const iso = dateInputToDueAt('2026-12-31')!;
    const d = new Date(iso);
    expect([d.getFullYear(), d.getMonth(), d.getDate(), d.getHours()]).toEqual([2026, 11, 31, 17]);
    expect(dateInputToDueAt('')).toBeNull();
  });
});
