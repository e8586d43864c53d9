/** Sorting open tasks into the groups the Today screen shows. */
import type { Activity } from '../api/types';

export type TaskGroup = { key: 'overdue' | 'today' | 'later' | 'undated'; title: string; tasks: Activity[] };

/** Overdue (due before now), due later today, coming up, and undated; empty groups left out. */
export function groupTasks(tasks: readonly Activity[], now: Date = new Date()): TaskGroup[] {
  const endOfDay = new Date(now.getFullYear(), now.getMonth(), now.getDate() + 1);
  const groups: Record<TaskGroup['key'], TaskGroup> = {
    overdue: { key: 'overdue', title: 'Overdue', tasks: [] },
    today: { key: 'today', title: 'Due today', tasks: [] },
    later: { key: 'later', title: 'Coming up', tasks: [] },
    undated: { key: 'undated', title: 'No due date', tasks: [] },
  };
  for (const task of tasks) {
    const due = task.due_at ? new Date(task.due_at) : null;
    const key = !due || Number.isNaN(due.getTime()) ? 'undated' : due < now ? 'overdue' : due < endOfDay ? 'today' : 'later';
    groups[key].tasks.push(task);
  }
  const byDue = (a: Activity, b: Activity) => (a.due_at ? Date.parse(a.due_at) : 0) - (b.due_at ? Date.parse(b.due_at) : 0);
  return Object.values(groups)
    .map((g) => ({ ...g, tasks: g.tasks.sort(byDue) }))
    .filter((g) => g.tasks.length > 0);
}
