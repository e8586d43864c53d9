import { describe, expect, it } from 'vitest';
import type { Activity } from '../api/types';
import { groupTasks } from './taskGroups';

const task = (id: string, due_at: string | null) =>
  ({ id, type: 'task', subject: id, due_at, created_at: '2026-01-01T00:00:00Z' }) as Activity;

describe('groupTasks', () => {
  it('sorts tasks into overdue, today, later and undated', () => {
    const now = new Date(2026, 10, 23, 12, 0, 0);
    const at = (d: number, h: number) => new Date(2026, 10, d, h).toISOString();
    const groups = groupTasks(
      [task('later', at(25, 9)), task('old', at(20, 9)), task('morning', at(23, 9)), task('evening', at(23, 18)), task('none', null)],
      now,
    );
    expect(groups.map((g) => [g.key, g.tasks.map((t) => t.id)])).toEqual([
      ['overdue', ['old', 'morning']],
      ['today', ['evening']],
      ['later', ['later']],
      ['undated', ['none']],
    ]);
  });

  it('leaves out empty groups', () => {
    expect(groupTasks([])).toEqual([]);
  });
});
