/** /trash: what was deleted in the last 30 days, each with Restore (the record comes back with its links). */
import { useId, useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import type { TrashItem, TrashObject } from '../api/types';
import { formatDate, formatDateTime } from '../lib/dates';
import { Pager, useCursorTrail } from '../ui/Pager';
import { Empty, ErrorState, Loading, ProblemAlert } from '../ui/States';
import { OBJECT_LABELS, recordPath, useRestore, useTrash } from './trashData';

const KINDS: TrashObject[] = ['contacts', 'accounts', 'deals', 'activities'];

export function TrashPage() {
  const id = useId();
  const [params, setParams] = useSearchParams();
  const raw = params.get('object') ?? '';
  const object = (KINDS as string[]).includes(raw) ? (raw as TrashObject) : '';
  const trail = useCursorTrail(object);
  const list = useTrash(object, trail.cursor);
  const restore = useRestore();
  const [restored, setRestored] = useState<TrashItem | null>(null);

  return (
    <section className="page" aria-labelledby={`${id}-title`}>
      <title>Trash · Rapport</title>
      <p className="breadcrumb">
        <Link to="/settings">Settings</Link> / Trash
      </p>
      <div className="page-header">
        <h1 id={`${id}-title`}>Trash</h1>
      </div>
      <p className="muted">
        Deleted contacts, accounts, deals and activities stay here for 30 days. Restoring brings back their links too.
      </p>
      <div className="field field-inline">
        <label htmlFor={`${id}-kind`}>Show</label>
        <select id={`${id}-kind`} value={object} onChange={(e) => setParams(e.target.value ? { object: e.target.value } : {})}>
          <option value="">Everything</option>
          {KINDS.map((k) => (
            <option key={k} value={k}>
              {OBJECT_LABELS[k]}s
            </option>
          ))}
        </select>
      </div>
      {restored ? (
        <p className="form-done" role="status">
          Restored {restored.title}.{' '}
          {recordPath(restored.object, restored.id) ? <Link to={recordPath(restored.object, restored.id)!}>Open it</Link> : null}
        </p>
      ) : null}
      <ProblemAlert error={restore.error} />
      {list.isPending ? (
        <Loading label="Loading the trash…" />
      ) : list.isError ? (
        <ErrorState error={list.error} onRetry={() => void list.refetch()} />
      ) : list.data.items.length === 0 ? (
        <Empty title="The trash is empty." />
      ) : (
        <>
          <div className="table-wrap">
            <table className="records">
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Kind</th>
                  <th scope="col">Deleted</th>
                  <th scope="col">Deleted by</th>
                  <th scope="col">Gone for good</th>
                  <th scope="col">
                    <span className="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {list.data.items.map((item) => (
                  <tr key={item.id}>
                    <th scope="row">{item.title}</th>
                    <td>{OBJECT_LABELS[item.object]}</td>
                    <td>{formatDateTime(item.deleted_at)}</td>
                    <td>{item.deleted_by.name ?? '—'}</td>
                    <td>{formatDate(item.purge_at)}</td>
                    <td>
                      <button
                        type="button"
                        className="button button-small"
                        aria-label={`Restore ${item.title}`}
                        disabled={restore.isPending}
                        onClick={() => restore.mutate({ object: item.object, id: item.id }, { onSuccess: () => setRestored(item) })}
                      >
                        Restore
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <Pager
            page={trail.page}
            nextCursor={list.data.next_cursor}
            onNext={trail.next}
            onPrevious={trail.previous}
            busy={list.isFetching}
          />
        </>
      )}
    </section>
  );
}
