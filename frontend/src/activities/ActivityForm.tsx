/** Logging a call, email, meeting or note, or adding a task, on a deal, contact or account. */
import { type FormEvent, useId, useState } from 'react';
import type { ActivityType } from '../api/types';
import { dateInputToDueAt } from '../lib/dates';
import { ProblemAlert } from '../ui/States';
import { type Subject, useLogActivity } from './activityData';

const TYPES: { value: ActivityType; label: string }[] = [
  { value: 'call', label: 'Call' },
  { value: 'email', label: 'Email' },
  { value: 'meeting', label: 'Meeting' },
  { value: 'note', label: 'Note' },
  { value: 'task', label: 'Task' },
];

export function ActivityForm({ subject, id }: { subject: Subject; id: string }) {
  const formId = useId();
  const log = useLogActivity(subject, id);
  const [type, setType] = useState<ActivityType>('call');
  const [text, setText] = useState('');
  const [body, setBody] = useState('');
  const [due, setDue] = useState('');
  const [done, setDone] = useState<string | null>(null);
  const isTask = type === 'task';

  function submit(event: FormEvent) {
    event.preventDefault();
    setDone(null);
    log.mutate(
      { type, subject: text.trim(), body: body.trim() || undefined, dueAt: isTask && due ? dateInputToDueAt(due) : undefined },
      {
        onSuccess: () => {
          setDone(isTask ? 'Task added' : `${TYPES.find((t) => t.value === type)?.label ?? 'Activity'} logged`);
          setText('');
          setBody('');
          setDue('');
        },
      },
    );
  }

  return (
    <form className="activity-form" onSubmit={submit} aria-labelledby={`${formId}-title`}>
      <h2 id={`${formId}-title`}>Log activity</h2>
      <div className="form-row">
        <div className="field">
          <label htmlFor={`${formId}-type`}>Type</label>
          <select id={`${formId}-type`} value={type} onChange={(e) => setType(e.target.value as ActivityType)}>
            {TYPES.map((t) => (
              <option key={t.value} value={t.value}>
                {t.label}
              </option>
            ))}
          </select>
        </div>
        <div className="field field-grow">
          <label htmlFor={`${formId}-subject`}>Subject</label>
          <input id={`${formId}-subject`} required value={text} onChange={(e) => setText(e.target.value)} />
        </div>
        {isTask ? (
          <div className="field">
            <label htmlFor={`${formId}-due`}>Due date</label>
            <input id={`${formId}-due`} type="date" value={due} onChange={(e) => setDue(e.target.value)} />
          </div>
        ) : null}
      </div>
      <div className="field">
        <label htmlFor={`${formId}-body`}>Notes</label>
        <textarea id={`${formId}-body`} rows={3} value={body} onChange={(e) => setBody(e.target.value)} />
      </div>
      <ProblemAlert error={log.error} />
      <div className="form-actions">
        <button type="submit" className="button button-primary" disabled={log.isPending}>
          {isTask ? 'Add task' : 'Log activity'}
        </button>
        {done ? (
          <span role="status" className="form-done">
            {done}
          </span>
        ) : null}
      </div>
    </form>
  );
}
