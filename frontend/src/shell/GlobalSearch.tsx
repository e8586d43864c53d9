/**
 * Search everywhere: the header's search box. "/" (outside a text field) or Ctrl+K (⌘K) focuses
 * it; results from /api/v1/search, best first across contacts, accounts, deals and activities,
 * each a link to its record's page (an activity's: the record it belongs to). Arrow keys move
 * through them, Enter opens one, Escape closes.
 */
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useEffect, useId, useRef, useState, type KeyboardEvent } from 'react';
import { Link, useLocation, useNavigate } from 'react-router';
import { api, unwrap } from '../api/client';
import { keys } from '../api/keys';
import type { ResponseOf } from '../api/types';

type Hit = ResponseOf<'/api/v1/search'>['items'][number];

const KIND: Record<Hit['object'], string> = {
  contacts: 'Contact',
  accounts: 'Account',
  deals: 'Deal',
  activities: 'Activity',
};
const PAGES: Partial<Record<Hit['object'], string>> = {
  contacts: '/contacts',
  accounts: '/accounts',
  deals: '/deals',
};
const DEBOUNCE_MS = 150;

/** Where a hit opens: its own page, or for an activity the page of what it belongs to. */
export function hitHref(hit: Hit): string | null {
  const own = PAGES[hit.object];
  if (own) return `${own}/${hit.id}`;
  const about = hit.about ? PAGES[hit.about.object] : undefined;
  return about && hit.about ? `${about}/${hit.about.id}` : null;
}

function isTextField(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  return target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName);
}

function useDebounced(value: string, ms: number): string {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = window.setTimeout(() => setSettled(value), ms);
    return () => window.clearTimeout(timer);
  }, [value, ms]);
  return settled;
}

export function GlobalSearch() {
  const [text, setText] = useState('');
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(0);
  const input = useRef<HTMLInputElement>(null);
  const listId = useId();
  const navigate = useNavigate();
  const location = useLocation();
  const q = useDebounced(text.trim(), DEBOUNCE_MS).slice(0, 200);

  const results = useQuery({
    queryKey: keys.search(q),
    queryFn: ({ signal }) => unwrap(api.GET('/api/v1/search', { params: { query: { q, limit: 12 } }, signal })),
    enabled: q.length > 0,
    staleTime: 15_000,
    placeholderData: keepPreviousData,
  });
  const hits = q ? (results.data?.items ?? []) : [];

  useEffect(() => {
    function onKey(event: globalThis.KeyboardEvent) {
      const slash = event.key === '/' && !event.ctrlKey && !event.metaKey && !isTextField(event.target);
      const ctrlK = (event.ctrlKey || event.metaKey) && event.key.toLowerCase() === 'k';
      if (slash || ctrlK) {
        event.preventDefault();
        input.current?.focus();
        input.current?.select();
        setOpen(true);
      }
    }
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  // Opening a record closes the results.
  useEffect(() => setOpen(false), [location.pathname]);
  useEffect(() => setActive(0), [q]);

  function go(hit: Hit | undefined) {
    const href = hit ? hitHref(hit) : null;
    if (!href) return;
    setOpen(false);
    input.current?.blur();
    navigate(href);
  }

  function onKeyDown(event: KeyboardEvent<HTMLInputElement>) {
    if (event.key === 'ArrowDown' && hits.length) {
      event.preventDefault();
      setOpen(true);
      setActive((i) => (i + 1) % hits.length);
    } else if (event.key === 'ArrowUp' && hits.length) {
      event.preventDefault();
      setActive((i) => (i - 1 + hits.length) % hits.length);
    } else if (event.key === 'Enter') {
      event.preventDefault();
      go(hits[active]);
    } else if (event.key === 'Escape') {
      setOpen(false);
      input.current?.blur();
    }
  }

  const showing = open && q.length > 0;
  const optionId = (i: number) => `${listId}-option-${i}`;
  return (
    <div className="global-search" role="search">
      <input
        ref={input}
        type="search"
        role="combobox"
        className="global-search-input"
        aria-label="Search everything"
        aria-autocomplete="list"
        aria-expanded={showing}
        aria-controls={listId}
        aria-activedescendant={showing && hits[active] ? optionId(active) : undefined}
        aria-keyshortcuts="/ Control+K"
        placeholder="Search…  ( / )"
        autoComplete="off"
        maxLength={200}
        value={text}
        onChange={(event) => {
          setText(event.target.value);
          setOpen(true);
        }}
        onFocus={() => setOpen(true)}
        onBlur={() => setOpen(false)}
        onKeyDown={onKeyDown}
      />
      {showing && (
        // mousedown would blur the input (closing the list) before a click lands on a result.
        <div className="global-search-results" onMouseDown={(event) => event.preventDefault()}>
          <ul id={listId} role="listbox" aria-label="Search results">
            {hits.map((hit, i) => {
              const href = hitHref(hit);
              return (
                <li
                  key={`${hit.object}-${hit.id}`}
                  id={optionId(i)}
                  role="option"
                  aria-selected={i === active}
                  className={i === active ? 'global-search-hit active' : 'global-search-hit'}
                  onMouseEnter={() => setActive(i)}
                >
                  {href ? (
                    <Link to={href} onClick={() => setOpen(false)} tabIndex={-1}>
                      <span className="global-search-title">{hit.title}</span>
                    </Link>
                  ) : (
                    <span className="global-search-title">{hit.title}</span>
                  )}
                  <span className="global-search-meta">
                    {KIND[hit.object]}
                    {hit.subtitle ? ` · ${hit.subtitle}` : ''}
                  </span>
                </li>
              );
            })}
          </ul>
          <p className="global-search-status" role="status">
            {results.isError
              ? 'Search failed; try again.'
              : results.isFetching && !hits.length
                ? 'Searching…'
                : !hits.length
                  ? `Nothing found for “${q}”.`
                  : ''}
          </p>
        </div>
      )}
    </div>
  );
}
