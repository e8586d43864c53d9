/**
 * /today, the home screen, from GET /today: overdue tasks, tasks due today, deals at risk with
 * their reasons, follow-ups (open deals with no next step) and commitments coming due. Each item
 * can be acted on from here: a task is finished in one click, a deal opens.
 */
import { type ReactNode, useId } from 'react';
import { Link } from 'react-router';
import type { Activity } from '../api/types';
import { formatDate, formatDateTime } from '../lib/dates';
import { formatMoney } from '../lib/money';
import { Empty, ErrorState, Loading, ProblemAlert } from '../ui/States';
import { type DealWithReasons, isClear, type Today, useCompleteTask, useToday } from './todayData';
import './today.css';

export function TodayPage() {
  const today = useToday();
  const complete = useCompleteTask();

  return (
    <section className="page" aria-labelledby="today-title">
      <title>Today · Rapport</title>
      <div className="page-header">
        <h1 id="today-title">Today</h1>
        {today.data ? (
          <span className="muted">
            {formatDate(today.data.date)} · {today.data.timezone}
          </span>
        ) : null}
      </div>
      <ProblemAlert error={complete.error} />
      {today.isPending ? (
        <Loading label="Loading your day…" />
      ) : today.isError ? (
        <ErrorState error={today.error} onRetry={() => void today.refetch()} />
      ) : isClear(today.data) ? (
        <Empty title="Nothing needs you today. You are all caught up.">
          <p>Tasks you add on a deal, contact or account show up here when they are due, with deals that need attention.</p>
        </Empty>
      ) : (
        <div className="today-grid">
          <div className="today-tasks">
            <TaskGroup
              kind="overdue"
              title="Overdue"
              tasks={today.data.overdue_tasks}
              busyId={complete.isPending ? complete.variables : undefined}
              onComplete={(id) => complete.mutate(id)}
            />
            <TaskGroup
              kind="today"
              title="Due today"
              tasks={today.data.due_today}
              busyId={complete.isPending ? complete.variables : undefined}
              onComplete={(id) => complete.mutate(id)}
            />
            <Commitments items={today.data.commitments_due} />
          </div>
          <div className="today-deals">
            <DealGroup kind="at-risk" title="At risk" items={today.data.at_risk} />
            <DealGroup kind="follow-ups" title="Follow-ups" items={today.data.follow_ups} />
          </div>
        </div>
      )}
    </section>
  );
}

function Group({ kind, title, count, children }: { kind: string; title: string; count: number; children: ReactNode }) {
  const id = useId();
  if (count === 0) return null;
  return (
    <section className={`task-group task-group-${kind}`} aria-labelledby={id}>
      <h2 id={id}>
        {title} <span className="column-count">{count}</span>
      </h2>
      {children}
    </section>
  );
}

function TaskGroup({
  kind,
  title,
  tasks,
  busyId,
  onComplete,
}: {
  kind: string;
  title: string;
  tasks: Activity[];
  busyId: string | undefined;
  onComplete: (id: string) => void;
}) {
  return (
    <Group kind={kind} title={title} count={tasks.length}>
      <ul className="task-list">
        {tasks.map((task) => (
          <li key={task.id} className="task">
            <div>
              <div className="task-subject" id={`task-${task.id}`}>
                {task.subject || 'Task'}
              </div>
              <div className="muted">
                {task.due_at ? `Due ${formatDateTime(task.due_at)}` : 'No due date'}
                <SubjectLinks activity={task} />
              </div>
            </div>
            <button
              type="button"
              className="button"
              disabled={busyId === task.id}
              aria-describedby={`task-${task.id}`}
              onClick={() => onComplete(task.id)}
            >
              Mark done
            </button>
          </li>
        ))}
      </ul>
    </Group>
  );
}

function SubjectLinks({ activity }: { activity: Activity }) {
  const links: [string, string][] = [];
  if (activity.deal_id) links.push([`/deals/${activity.deal_id}`, 'Open deal']);
  if (activity.contact_id) links.push([`/contacts/${activity.contact_id}`, 'Open contact']);
  if (activity.account_id) links.push([`/accounts/${activity.account_id}`, 'Open account']);
  return (
    <>
      {links.map(([to, label]) => (
        <span key={to}>
          {' · '}
          <Link to={to} aria-describedby={`task-${activity.id}`}>
            {label}
          </Link>
        </span>
      ))}
    </>
  );
}

function DealGroup({ kind, title, items }: { kind: string; title: string; items: DealWithReasons[] }) {
  return (
    <Group kind={kind} title={title} count={items.length}>
      <ul className="task-list">
        {items.map(({ deal, reasons }) => (
          <li key={deal.id} className="task today-deal">
            <div>
              <div className="task-subject">
                <Link to={`/deals/${deal.id}`}>{deal.title}</Link>
              </div>
              <div className="muted">
                {formatMoney(deal.amount, deal.currency)}
                {deal.expected_close_date ? ` · closes ${formatDate(deal.expected_close_date)}` : ''}
              </div>
              <ul className="reasons" aria-label={`Why ${deal.title} is here`}>
                {reasons.map((r, i) => (
                  <li key={`${r.code}-${i}`} className={`reason reason-${r.code}`} data-code={r.code}>
                    {r.text}
                  </li>
                ))}
              </ul>
            </div>
            <Link className="button" to={`/deals/${deal.id}`} aria-label={`Open ${deal.title}`}>
              Open
            </Link>
          </li>
        ))}
      </ul>
    </Group>
  );
}

function Commitments({ items: commitments }: { items: Today['commitments_due'] }) {
  return (
    <Group kind="commitments" title="Commitments due" count={commitments.length}>
      <ul className="task-list">
        {commitments.map((c) => (
          <li key={c.id} className="task">
            <div>
              <div className="task-subject">{c.title}</div>
              <div className="muted">
                {c.due_date ? `Due ${formatDate(c.due_date)}` : 'No due date'}
                {c.status ? ` · ${c.status}` : ''}
              </div>
            </div>
            {c.deal_id ? (
              <Link className="button" to={`/deals/${c.deal_id}`} aria-label={`Open the deal of ${c.title}`}>
                Open deal
              </Link>
            ) : null}
          </li>
        ))}
      </ul>
    </Group>
  );
}
