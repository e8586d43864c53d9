/**
 * A searchable, paged list of records (contacts, accounts): the title and a "New …" form, a search
 * box kept in the address (?q=), a table, and cursor paging with Previous and Next.
 */
import type { UseQueryResult } from '@tanstack/react-query';
import { type ReactNode, useId, useState } from 'react';
import { useSearchParams } from 'react-router';
import { type ViewObject } from '../views/viewData';
import { type ListQuery, listQuery } from '../views/viewFilters';
import { ViewsBar } from '../views/ViewsBar';
import { Pager, SearchForm, useCursorTrail } from './Pager';
import { Empty, ErrorState, Loading } from './States';

export type ListColumn<T> = { header: string; cell: (item: T) => ReactNode };

type Page<T> = { items: T[]; next_cursor?: string | null };

type Props<T extends { id: string }> = {
  title: string;
  /** What the records are called in sentences: "contacts". */
  noun: string;
  /** The page of records for a search, a cursor and the address's other filters and sort. */
  useList: (q: string, cursor: string | null, query: ListQuery) => UseQueryResult<Page<T>>;
  /** Saved views for this list, and the sorts it offers (`-field` descends) with their names. */
  views?: { object: ViewObject; sortOptions: [string, string][] };
  /** The first column, a row header (the record's name, usually a link). */
  rowHeader: ListColumn<T>;
  columns: ListColumn<T>[];
  newLabel: string;
  renderNewForm: (close: () => void) => ReactNode;
  /** Rows can be selected and these actions applied to the selection. */
  bulk?: {
    /** How a row's checkbox is named: "Select Hank Scorpio". */
    name: (item: T) => string;
    renderActions: (ids: string[], clear: () => void) => ReactNode;
  };
};

export function RecordListPage<T extends { id: string }>({
  title,
  noun,
  useList,
  rowHeader,
  columns,
  newLabel,
  renderNewForm,
  bulk,
  views,
}: Props<T>) {
  const id = useId();
  const [params, setParams] = useSearchParams();
  const q = params.get('q') ?? '';
  const query = listQuery(params);
  const queryKey = JSON.stringify(query);
  const trail = useCursorTrail(queryKey);
  const list = useList(q, trail.cursor, query);
  const filtered = Object.keys(query).some((key) => key !== 'q' && key !== 'sort');
  const [adding, setAdding] = useState(false);
  const [selected, setSelected] = useState<string[]>([]);
  const pageIds = list.data?.items.map((item) => item.id) ?? [];
  const allOnPage = pageIds.length > 0 && pageIds.every((rowId) => selected.includes(rowId));
  const toggle = (rowId: string, on: boolean) =>
    setSelected((ids) => (on ? [...ids.filter((x) => x !== rowId), rowId] : ids.filter((x) => x !== rowId)));

  return (
    <section className="page" aria-labelledby={`${id}-title`}>
      <div className="page-header">
        <title>{`${title} · Rapport`}</title>
        <h1 id={`${id}-title`}>{title}</h1>
        <button type="button" className="button button-primary" aria-expanded={adding} onClick={() => setAdding((a) => !a)}>
          {newLabel}
        </button>
      </div>
      {adding ? renderNewForm(() => setAdding(false)) : null}
      <SearchForm
        key={q}
        id={`${id}-q`}
        label={`Search ${noun}`}
        initial={q}
        onSearch={(value) => {
          // A new search keeps the other filters and the sort; it is no longer the saved view.
          const next = new URLSearchParams(params);
          next.delete('view');
          if (value) next.set('q', value);
          else next.delete('q');
          setParams(next);
        }}
      />
      {views ? <ViewsBar object={views.object} sortOptions={views.sortOptions} /> : null}
      {list.isPending ? (
        <Loading label={`Loading ${noun}…`} />
      ) : list.isError ? (
        <ErrorState error={list.error} onRetry={() => void list.refetch()} />
      ) : list.data.items.length === 0 ? (
        <Empty title={q ? `No ${noun} match “${q}”.` : filtered ? `No ${noun} match these filters.` : `No ${noun} yet.`}>
          {q || filtered ? null : <p>Add one with “{newLabel}”, or import a CSV.</p>}
        </Empty>
      ) : (
        <>
          {bulk && selected.length > 0 ? (
            <div className="bulk-bar" role="region" aria-label="Bulk actions">
              <span>{selected.length} selected</span>
              {bulk.renderActions(selected, () => setSelected([]))}
              <button type="button" className="button button-quiet" onClick={() => setSelected([])}>
                Clear selection
              </button>
            </div>
          ) : null}
          <div className="table-wrap">
            <table className="records">
              <thead>
                <tr>
                  {bulk ? (
                    <td className="select-cell">
                      <input
                        type="checkbox"
                        aria-label="Select all on this page"
                        checked={allOnPage}
                        onChange={(e) =>
                          setSelected((ids) =>
                            e.target.checked ? [...new Set([...ids, ...pageIds])] : ids.filter((x) => !pageIds.includes(x)),
                          )
                        }
                      />
                    </td>
                  ) : null}
                  <th scope="col">{rowHeader.header}</th>
                  {columns.map((c) => (
                    <th scope="col" key={c.header}>
                      {c.header}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {list.data.items.map((item) => (
                  <tr key={item.id}>
                    {bulk ? (
                      <td className="select-cell">
                        <input
                          type="checkbox"
                          aria-label={`Select ${bulk.name(item)}`}
                          checked={selected.includes(item.id)}
                          onChange={(e) => toggle(item.id, e.target.checked)}
                        />
                      </td>
                    ) : null}
                    <th scope="row">{rowHeader.cell(item)}</th>
                    {columns.map((c) => (
                      <td key={c.header}>{c.cell(item) ?? '—'}</td>
                    ))}
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
