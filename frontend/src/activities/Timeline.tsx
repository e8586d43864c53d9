/** A record's timeline, newest first: activities and system events (stage and field changes, …). */
import type { TimelineItem } from '../api/types';
import { formatDateTime } from '../lib/dates';
import { Empty, ErrorState, Loading } from '../ui/States';
import { type Subject, useTimeline } from './activityData';

const ACTIVITY_LABELS: Record<string, string> = { call: 'Call', email: 'Email', meeting: 'Meeting', task: 'Task', note: 'Note' };

function humanize(type: string): string {
  const last = type.split('.').pop() ?? type;
  const text = last.replace(/_/g, ' ');
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** A contact's `emails`/`phones` list reads as its addresses: `a@x (work, primary), b@y`. */
function showAddress(entry: unknown): string | null {
  if (!entry || typeof entry !== 'object') return null;
  const e = entry as { email?: unknown; phone?: unknown; label?: unknown; primary?: unknown };
  const value = typeof e.email === 'string' ? e.email : typeof e.phone === 'string' ? e.phone : null;
  if (value === null) return null;
  const notes = [typeof e.label === 'string' && e.label ? e.label : null, e.primary === true ? 'primary' : null].filter(Boolean);
  return notes.length ? `${value} (${notes.join(', ')})` : value;
}

export function show(value: unknown): string {
  if (value === null || value === undefined || value === '') return '—';
  if (Array.isArray(value)) {
    const addresses = value.map(showAddress);
    if (value.length === 0) return '—';
    if (addresses.every((a) => a !== null)) return addresses.join(', ');
  }
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

function str(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}

export function describeItem(item: TimelineItem): { title: string; body?: string | null; lines?: string[] } {
  const data = (item.data ?? {}) as Record<string, unknown>;
  if (item.kind === 'activity') {
    const type = str(data.type) ?? item.type;
    const label = ACTIVITY_LABELS[type] ?? humanize(type);
    const subject = str(data.subject);
    const done =
      type === 'task' ? (str(data.completed_at) ? ' (done)' : str(data.due_at) ? ` (due ${formatDateTime(str(data.due_at))})` : '') : '';
    return { title: subject ? `${label}: ${subject}${done}` : `${label}${done}`, body: str(data.body) };
  }
  const fromStage = str(data.from_stage) ?? (data.from_stage as { name?: string } | null)?.name ?? null;
  const toStage = str(data.to_stage) ?? (data.to_stage as { name?: string } | null)?.name ?? null;
  if (toStage) return { title: fromStage ? `Moved from ${fromStage} to ${toStage}` : `Entered ${toStage}` };
  const changes = data.changes as Record<string, [unknown, unknown]> | undefined;
  if (changes && typeof changes === 'object') {
    return {
      title: humanize(item.type),
      lines: Object.entries(changes).map(([field, pair]) => `${field.replace(/_/g, ' ')}: ${show(pair?.[0])} → ${show(pair?.[1])}`),
    };
  }
  return { title: humanize(item.type) };
}

export function Timeline({ subject, id }: { subject: Subject; id: string }) {
  const timeline = useTimeline(subject, id);
  return (
    <section className="timeline" aria-labelledby={`timeline-${id}`}>
      <h2 id={`timeline-${id}`}>Timeline</h2>
      {timeline.isPending ? (
        <Loading label="Loading the timeline…" />
      ) : timeline.isError ? (
        <ErrorState error={timeline.error} onRetry={() => void timeline.refetch()} />
      ) : timeline.data.items.length === 0 ? (
        <Empty title="Nothing has happened here yet." />
      ) : (
        <>
          <ol className="timeline-list">
            {timeline.data.items.map((item) => {
              const d = describeItem(item);
              return (
                <li key={item.id} className={`timeline-item timeline-${item.kind}`}>
                  <div className="timeline-title">{d.title}</div>
                  {d.body ? <p className="timeline-body">{d.body}</p> : null}
                  {d.lines ? (
                    <ul className="timeline-changes">
                      {d.lines.map((line) => (
                        <li key={line}>{line}</li>
                      ))}
                    </ul>
                  ) : null}
                  <div className="timeline-meta">
                    <time dateTime={item.at}>{formatDateTime(item.at)}</time>
                    {item.actor?.name ? <span> · {item.actor.name}</span> : null}
                  </div>
                </li>
              );
            })}
          </ol>
          {timeline.hasNextPage ? (
            <button type="button" className="button" disabled={timeline.isFetchingNextPage} onClick={() => void timeline.fetchNextPage()}>
              {timeline.isFetchingNextPage ? 'Loading…' : 'Show older'}
            </button>
          ) : null}
        </>
      )}
    </section>
  );
}
