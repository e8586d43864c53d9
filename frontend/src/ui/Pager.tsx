/** Cursor paging for list screens: "Next" follows next_cursor; "Previous" walks back the trail. */
import { useCallback, useState } from 'react';

/** The cursors walked so far for one search (`key`); a new search starts again at page 1. */
export function useCursorTrail(key: string) {
  const [state, setState] = useState<{ key: string; trail: (string | null)[] }>({ key, trail: [null] });
  const trail = state.key === key ? state.trail : [null];
  const cursor = trail[trail.length - 1] ?? null;
  return {
    cursor,
    page: trail.length,
    next: useCallback((next: string) => setState((s) => ({ key, trail: [...(s.key === key ? s.trail : [null]), next] })), [key]),
    previous: useCallback(
      () => setState((s) => ({ key, trail: s.key === key && s.trail.length > 1 ? s.trail.slice(0, -1) : [null] })),
      [key],
    ),
  };
}

type Props = {
  page: number;
  nextCursor: string | null | undefined;
  onNext: (cursor: string) => void;
  onPrevious: () => void;
  busy?: boolean;
};

export function Pager({ page, nextCursor, onNext, onPrevious, busy = false }: Props) {
  if (page === 1 && !nextCursor) return null;
  return (
    <nav className="pager" aria-label="Pagination">
      <button type="button" className="button" disabled={page === 1 || busy} onClick={onPrevious}>
        Previous
      </button>
      <span className="pager-page">Page {page}</span>
      <button type="button" className="button" disabled={!nextCursor || busy} onClick={() => nextCursor && onNext(nextCursor)}>
        Next
      </button>
    </nav>
  );
}

/** A search box that applies on submit. */
export function SearchForm({
  label,
  initial,
  onSearch,
  id,
}: {
  label: string;
  initial: string;
  onSearch: (q: string) => void;
  id: string;
}) {
  const [value, setValue] = useState(initial);
  return (
    <form
      role="search"
      className="field field-inline search-form"
      onSubmit={(e) => {
        e.preventDefault();
        onSearch(value.trim());
      }}
    >
      <label htmlFor={id}>{label}</label>
      <input id={id} type="search" value={value} onChange={(e) => setValue(e.target.value)} />
      <button type="submit" className="button">
        Search
      </button>
    </form>
  );
}
