/**
 * A searchable, paged list of records (contacts, accounts): the title and a "New …" form, a search
 * box kept in the address (?q=), a table, and cursor paging with Previous and Next.
 */
import type { UseQueryResult } from '@tanstack/react-query';
import { type ReactNode, useId, useState } from 'react';
import { useSearchParams } from 'react-router';
import { Pager, SearchForm, useCursorTrail } from './Pager';
import { Empty, ErrorState, Loading } from './States';

export type ListColumn<T> = { header: string; cell: (item: T) => ReactNode };

type Page<T> = { items: T[]; next_cursor?: string | null };

type Props<T extends { id: string }> = {
  title: string;
  /** What the records are called in sentences: "contacts". */
  noun: string;
  /** The page of records for a search and a cursor. */
  useList: (q: string, cursor: string | null) => UseQueryResult<Page<T>>;
  /** The first column, a row header (the record's name, usually a link). */
  rowHeader: ListColumn<T>;
  columns: ListColumn<T>[];
  newLabel: string;
  renderNewForm: (close: () => void) => ReactNode;
};

export function RecordListPage<T extends { id: string }>({ title, noun, useList, rowHeader, columns, newLabel, renderNewForm }: Props<T>) {
  const id = useId();
  const [params, setParams] = useSearchParams();
  const q = params.get('q') ?? '';
  const trail = useCursorTrail(q);
  const list = useList(q, trail.cursor);
  const [adding, setAdding] = useState(false);

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
      <SearchForm key={q} id={`${id}-q`} label={`Search ${noun}`} initial={q} onSearch={(value) => setParams(value ? { q: value } : {})} />
      {list.isPending ? (
        <Loading label={`Loading ${noun}…`} />
      ) : list.isError ? (
        <ErrorState error={list.error} onRetry={() => void list.refetch()} />
      ) : list.data.items.length === 0 ? (
        <Empty title={q ? `No ${noun} match “${q}”.` : `No ${noun} yet.`}>
          {q ? null : <p>Add one with “{newLabel}”, or import a CSV.</p>}
        </Empty>
      ) : (
        <>
          <div className="table-wrap">
            <table className="records">
              <thead>
                <tr>
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
