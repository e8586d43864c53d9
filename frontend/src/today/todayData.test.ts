import { describe, expect, it } from 'vitest';
import { isClear, type Today, withoutTask } from './todayData';

const task = (id: string) => ({ id }) as Today['overdue_tasks'][number];
const empty: Today = {
  date: '2026-11-23',
  timezone: 'UTC',
  overdue_tasks: [],
  due_today: [],
  follow_ups: [],
  at_risk: [],
  commitments_due: [],
};

describe('Today', () => {
  it('drops a finished task from whichever list holds it, leaving the rest', () => {
    const today = { ...empty, overdue_tasks: [task('a'), task('b')], due_today: [task('c')] };
    const after = withoutTask(today, 'a');
    expect(after.overdue_tasks.map((t) => t.id)).toEqual(['b']);
    expect(after.due_today.map((t) => t.id)).toEqual(['c']);
    expect(withoutTask(today, 'c').due_today).toEqual([]);
    expect(today.overdue_tasks).toHaveLength(2); // the cached value is not changed in place
  });

  it('is clear only when every list is empty', () => {
    expect(isClear(empty)).toBe(true);
    expect(isClear({ ...empty, commitments_due: [{ id: 'x' } as Today['commitments_due'][number]] })).toBe(false);
    expect(isClear({ ...empty, due_today: [task('a')] })).toBe(false);
  });
});
