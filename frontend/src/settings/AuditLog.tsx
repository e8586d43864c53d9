/** The admin audit log: who changed settings, members, keys, automations; who exported or erased. */
import { useInfiniteQuery } from '@tanstack/react-query';
import { type FormEvent, useId, useState } from 'react';
import { api, unwrap } from '../api/client';
import type { ResponseOf } from '../api/types';
import { formatDateTime } from '../lib/dates';
import { MemberName } from '../shell/MemberName';
import { Empty, ErrorState, Loading } from '../ui/States';

export type AuditEntry = ResponseOf<'/api/v1/audit-log'>['items'][number];
type Filters = { action: string; since: string };

function useAuditLog(filters: Filters) {
  return useInfiniteQuery({
    queryKey: ['audit-log', filters.action, filters.since],
    initialPageParam: null as string | null,
    queryFn: ({ pageParam }) =>
      unwrap(
        api.GET('/api/v1/audit-log', {
          params: {
            query: {
              limit: 50,
              ...(pageParam ? { cursor: pageParam } : {}),
              ...(filters.action ? { action: filters.action } : {}),
              ...(filters.since ? { since: new Date(`${filters.since}T00:00:00`).toISOString() } : {}),
            },
          },
        }),
      ),
    getNextPageParam: (last) => last.next_cursor ?? null,
  });
}

function Actor({ entry }: { entry: AuditEntry }) {
  if (entry.actor_type === 'api_key')
    return (
      <>
        API key (created by <MemberName id={entry.actor_id} />)
      </>
    );
  if (entry.actor_type === 'system' || entry.actor_type === 'automation') return <>{entry.actor_type}</>;
  return <MemberName id={entry.actor_id} />;
}

export function AuditLog() {
  const formId = useId();
  const [draft, setDraft] = useState<Filters>({ action: '', since: '' });
  const [filters, setFilters] = useState<Filters>(draft);
  const log = useAuditLog(filters);

  function apply(event: FormEvent) {
    event.preventDefault();
    setFilters({ action: draft.action.trim(), since: draft.since });
  }

  return (
    <div className="audit-log">
      <form className="form-row" onSubmit={apply} aria-label="Filter the audit log">
        <div className="field">
          <label htmlFor={`${formId}-action`}>Action</label>
          <input
            id={`${formId}-action`}
            placeholder="member.* or contact.erased"
            value={draft.action}
            onChange={(e) => setDraft({ ...draft, action: e.target.value })}
          />
        </div>
        <div className="field">
          <label htmlFor={`${formId}-since`}>Since</label>
          <input id={`${formId}-since`} type="date" value={draft.since} onChange={(e) => setDraft({ ...draft, since: e.target.value })} />
        </div>
        <div className="form-actions">
          <button type="submit" className="button">
            Filter
          </button>
        </div>
      </form>
      {log.isPending ? (
        <Loading label="Loading the audit log…" />
      ) : log.isError ? (
        <ErrorState error={log.error} onRetry={() => void log.refetch()} />
      ) : log.data.pages[0]?.items.length ? (
        <>
          <div className="table-wrap">
            <table className="records">
              <thead>
                <tr>
                  <th scope="col">When</th>
                  <th scope="col">Who</th>
                  <th scope="col">Action</th>
                  <th scope="col">What</th>
                </tr>
              </thead>
              <tbody>
                {log.data.pages
                  .flatMap((page) => page.items)
                  .map((entry) => (
                    <tr key={entry.id}>
                      <td>{formatDateTime(entry.created_at)}</td>
                      <td>
                        <Actor entry={entry} />
                      </td>
                      <td>
                        <code>{entry.action}</code>
                      </td>
                      <td>{entry.summary}</td>
                    </tr>
                  ))}
              </tbody>
            </table>
          </div>
          {log.hasNextPage ? (
            <button type="button" className="button" disabled={log.isFetchingNextPage} onClick={() => void log.fetchNextPage()}>
              Load more
            </button>
          ) : null}
        </>
      ) : (
        <Empty title="Nothing recorded yet." />
      )}
    </div>
  );
}
