/**
 * Above a list: pick a saved view (yours and the shared ones) to apply its filters and sort, save
 * the list as it stands under a name, and delete a view of your own.
 */
import { type FormEvent, useId, useState } from 'react';
import { useSearchParams } from 'react-router';
import { useMe } from '../auth/session';
import { useMembers } from '../shell/workspaceData';
import { ProblemAlert } from '../ui/States';
import { showToast } from '../ui/toasts';
import { type SavedView, type ViewObject, useCreateView, useDeleteView, useViews } from './viewData';
import { paramsFromView, viewFromParams } from './viewFilters';

export function ViewsBar({ object, sortOptions }: { object: ViewObject; sortOptions: [string, string][] }) {
  const id = useId();
  const [params, setParams] = useSearchParams();
  const me = useMe();
  const members = useMembers();
  const views = useViews(object);
  const remove = useDeleteView(object);
  const [saving, setSaving] = useState(false);
  const current = params.get('view') ?? '';
  const items = views.data?.items ?? [];
  const chosen = items.find((v) => v.id === current);
  const mine = (v: SavedView) => v.owner_id === me.data?.user.id;
  const { filters, sort } = viewFromParams(params);
  const filterText = Object.entries(filters)
    .filter(([key]) => key !== 'q' && key !== 'owner_id')
    .map(([key, value]) => `${key.replace(/_/g, ' ')}: ${value}`);

  function apply(viewId: string) {
    const view = items.find((v) => v.id === viewId);
    setParams(view ? paramsFromView(view) : {});
  }

  /** Changing a filter or the sort by hand leaves the saved view (until it is saved again). */
  function setParam(key: string, value: string) {
    const next = new URLSearchParams(params);
    next.delete('cursor');
    next.delete('view');
    if (value) next.set(key, value);
    else next.delete(key);
    setParams(next);
  }

  return (
    <div className="views-bar" role="region" aria-label="Views">
      <div className="inline-form">
        <label htmlFor={`${id}-view`}>View</label>
        <select id={`${id}-view`} value={chosen ? current : ''} onChange={(e) => apply(e.target.value)}>
          <option value="">All {object}</option>
          {items.map((v) => (
            <option key={v.id} value={v.id}>
              {v.name}
              {v.shared ? ' (shared)' : ''}
            </option>
          ))}
        </select>
        <label htmlFor={`${id}-owner`}>Owner</label>
        <select id={`${id}-owner`} value={filters.owner_id ?? ''} onChange={(e) => setParam('owner_id', e.target.value)}>
          <option value="">Anyone</option>
          {(members.data?.items ?? []).map((m) => (
            <option key={m.id} value={m.id}>
              {m.name || m.email}
            </option>
          ))}
        </select>
        <label htmlFor={`${id}-sort`}>Sort</label>
        <select id={`${id}-sort`} value={sort ?? ''} onChange={(e) => setParam('sort', e.target.value)}>
          <option value="">Newest first</option>
          {sortOptions.map(([value, label]) => (
            <option key={value} value={value}>
              {label}
            </option>
          ))}
        </select>
        <button type="button" className="button" aria-expanded={saving} onClick={() => setSaving((s) => !s)}>
          Save view
        </button>
        {chosen && mine(chosen) ? (
          <button
            type="button"
            className="button button-quiet"
            disabled={remove.isPending}
            onClick={() => {
              if (!window.confirm(`Delete the view “${chosen.name}”?`)) return;
              remove.mutate(chosen, {
                onSuccess: () => {
                  setParams({});
                  showToast({ text: `Deleted the view “${chosen.name}”.` });
                },
              });
            }}
          >
            Delete view
          </button>
        ) : null}
      </div>
      {filterText.length > 0 ? <p className="muted">Filtered by {filterText.join(', ')}</p> : null}
      <ProblemAlert error={remove.error} />
      {saving ? <SaveViewForm object={object} onDone={() => setSaving(false)} /> : null}
    </div>
  );
}

function SaveViewForm({ object, onDone }: { object: ViewObject; onDone: () => void }) {
  const id = useId();
  const [params, setParams] = useSearchParams();
  const create = useCreateView(object);
  const [name, setName] = useState('');
  const [shared, setShared] = useState(false);

  function submit(event: FormEvent) {
    event.preventDefault();
    if (!name.trim()) return;
    const { filters, sort } = viewFromParams(params);
    create.mutate(
      { object, name: name.trim(), filters, sort, shared },
      {
        onSuccess: (view) => {
          setParams(paramsFromView(view));
          showToast({ text: `Saved the view “${view.name}”.` });
          onDone();
        },
      },
    );
  }

  return (
    <form className="inline-form" onSubmit={submit} aria-label="Save view">
      <label htmlFor={`${id}-name`}>View name</label>
      <input id={`${id}-name`} value={name} maxLength={100} onChange={(e) => setName(e.target.value)} required />
      <label>
        <input type="checkbox" checked={shared} onChange={(e) => setShared(e.target.checked)} /> Share with the workspace
      </label>
      <button type="submit" className="button button-primary" disabled={create.isPending}>
        Save
      </button>
      <button type="button" className="button button-quiet" onClick={onDone}>
        Cancel
      </button>
      <ProblemAlert error={create.error} />
    </form>
  );
}
