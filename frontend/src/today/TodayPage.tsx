/** /today: my open tasks, overdue first, then due today, then later. */
import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import { useCompleteActivity } from '../activities/activityData';
import { api, unwrap } from '../api/client';
import { keys } from '../api/keys';
import { useMe } from '../auth/session';
import { formatDateTime } from '../lib/dates';
import { Empty, ErrorState, Loading, ProblemAlert } from '../ui/States';
import { groupTasks } from './taskGroups';

export function TodayPage() {
  const me = useMe();
  const userId = me.data?.user.id ?? '';
  const tasks = useQuery({
    queryKey: keys.tasks(userId),
    enabled: Boolean(userId),
    queryFn: () =>
      unwrap(
        api.GET('/api/v1/activities', {
          params: { query: { type: 'task', completed: false, owner_id: userId, sort: 'due_at', limit: 200 } },
        }),
      ),
  });
  const complete = useCompleteActivity();

  return (
    <section className="page" aria-labelledby="today-title">
      <title>Today · Rapport</title>
      <h1 id="today-title">Today</h1>
      <ProblemAlert error={complete.error} />
      {tasks.isPending ? (
        <Loading label="Loading your tasks…" />
      ) : tasks.isError ? (
        <ErrorState error={tasks.error} onRetry={() => void tasks.refetch()} />
      ) : tasks.data.items.length === 0 ? (
        <Empty title="No open tasks. You are all caught up.">
          <p>Tasks you add on a deal, contact or account show up here.</p>
        </Empty>
      ) : (
        groupTasks(tasks.data.items).map((group) => (
          <section key={group.key} className={`task-group task-group-${group.key}`} aria-labelledby={`tasks-${group.key}`}>
            <h2 id={`tasks-${group.key}`}>
              {group.title} <span className="column-count">{group.tasks.length}</span>
            </h2>
            <ul className="task-list">
              {group.tasks.map((task) => (
                <li key={task.id} className="task">
                  <div>
                    <div className="task-subject" id={`task-${task.id}`}>
                      {task.subject || 'Task'}
                    </div>
                    <div className="muted">
                      {task.due_at ? `Due ${formatDateTime(task.due_at)}` : 'No due date'}
                      {task.deal_id ? (
                        <>
                          {' · '}
                          <Link to={`/deals/${task.deal_id}`}>Deal</Link>
                        </>
                      ) : null}
                      {task.contact_id ? (
                        <>
                          {' · '}
                          <Link to={`/contacts/${task.contact_id}`}>Contact</Link>
                        </>
                      ) : null}
                      {task.account_id ? (
                        <>
                          {' · '}
                          <Link to={`/accounts/${task.account_id}`}>Account</Link>
                        </>
                      ) : null}
                    </div>
                  </div>
                  <button
                    type="button"
                    className="button"
                    disabled={complete.isPending && complete.variables === task.id}
                    aria-describedby={`task-${task.id}`}
                    onClick={() => complete.mutate(task.id)}
                  >
                    Mark done
                  </button>
                </li>
              ))}
            </ul>
          </section>
        ))
      )}
    </section>
  );
}
