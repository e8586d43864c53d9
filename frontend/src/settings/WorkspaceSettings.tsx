/** The workspace: its name, currency, time zone and the region phone numbers are read in. */
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useEffect, useId, useState } from 'react';
import { api, ifMatch, unwrap } from '../api/client';
import { keys } from '../api/keys';
import { fieldErrors, isApiError } from '../api/problem';
import type { Workspace } from '../api/types';
import { useWorkspace } from '../shell/workspaceData';
import { QueryGate, SaveError, useIsAdmin } from './access';

type Draft = { name: string; currency: string; timezone: string; default_region: string };

function draftOf(w: Workspace): Draft {
  return { name: w.name, currency: w.currency, timezone: w.timezone, default_region: w.default_region };
}

/** Only what changed, so a save never overwrites someone else's edit of another field. */
export function workspaceChanges(before: Draft, after: Draft): Partial<Draft> {
  const out: Partial<Draft> = {};
  for (const key of Object.keys(before) as (keyof Draft)[]) {
    const value = after[key].trim();
    if (value !== before[key]) out[key] = key === 'currency' || key === 'default_region' ? value.toUpperCase() : value;
  }
  return out;
}

const TIME_ZONES: string[] = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [];

export function WorkspaceSettings() {
  const workspace = useWorkspace();
  return (
    <QueryGate query={workspace} what="the workspace">
      {() => <WorkspaceForm workspace={workspace.data!} />}
    </QueryGate>
  );
}

function WorkspaceForm({ workspace }: { workspace: Workspace }) {
  const id = useId();
  const admin = useIsAdmin();
  const queryClient = useQueryClient();
  const [draft, setDraft] = useState<Draft>(() => draftOf(workspace));
  const [saved, setSaved] = useState(false);
  // A reload (after a save, or a 412) shows what the server holds now.
  useEffect(() => setDraft(draftOf(workspace)), [workspace]);

  const save = useMutation({
    mutationFn: (changes: Partial<Draft>) => unwrap(api.PATCH('/api/v1/workspace', { body: changes, headers: ifMatch(workspace.version) })),
    onSuccess: (updated) => {
      queryClient.setQueryData(keys.workspace, updated);
      void queryClient.invalidateQueries({ queryKey: keys.me });
      setSaved(true);
    },
    onError: (error) => {
      if (isApiError(error) && error.status === 412) void queryClient.invalidateQueries({ queryKey: keys.workspace });
    },
  });
  const errors = isApiError(save.error) ? fieldErrors(save.error.problem) : {};

  function submit(event: FormEvent) {
    event.preventDefault();
    setSaved(false);
    const changes = workspaceChanges(draftOf(workspace), draft);
    if (Object.keys(changes).length === 0) {
      setSaved(true);
      return;
    }
    save.mutate(changes);
  }

  const field = (key: keyof Draft, label: string, extra: { maxLength?: number; list?: string; hint?: string } = {}) => (
    <div className="field">
      <label htmlFor={`${id}-${key}`}>{label}</label>
      <input
        id={`${id}-${key}`}
        value={draft[key]}
        maxLength={extra.maxLength}
        list={extra.list}
        required
        aria-invalid={errors[key] ? true : undefined}
        aria-describedby={errors[key] ? `${id}-${key}-error` : extra.hint ? `${id}-${key}-hint` : undefined}
        onChange={(e) => {
          setSaved(false);
          setDraft({ ...draft, [key]: e.target.value });
        }}
      />
      {extra.hint && !errors[key] ? (
        <p className="muted small" id={`${id}-${key}-hint`}>
          {extra.hint}
        </p>
      ) : null}
      {errors[key] ? (
        <p className="field-error" id={`${id}-${key}-error`}>
          {errors[key]}
        </p>
      ) : null}
    </div>
  );

  return (
    <form className="settings-form" aria-label="Workspace settings" onSubmit={submit}>
      <fieldset disabled={!admin || save.isPending}>
        {field('name', 'Workspace name', { maxLength: 200 })}
        {field('currency', 'Currency', { maxLength: 3, hint: 'An ISO 4217 code, e.g. USD or EUR: board totals and reports are in it.' })}
        {field('timezone', 'Time zone', {
          maxLength: 64,
          list: `${id}-zones`,
          hint: 'What "today" and report periods mean, e.g. Europe/Paris.',
        })}
        {field('default_region', 'Default phone region', {
          maxLength: 2,
          hint: 'Phone numbers written without a country code are read in this region (e.g. US, GB).',
        })}
        <datalist id={`${id}-zones`}>
          {TIME_ZONES.map((z) => (
            <option key={z} value={z} />
          ))}
        </datalist>
        {admin ? (
          <div className="form-actions">
            <button type="submit" className="button button-primary">
              {save.isPending ? 'Saving…' : 'Save workspace'}
            </button>
            {saved ? (
              <span className="form-done" role="status">
                Saved
              </span>
            ) : null}
          </div>
        ) : null}
      </fieldset>
      {isApiError(save.error) && save.error.status === 412 ? (
        <div className="alert alert-error" role="alert">
          <p>Someone else changed the workspace meanwhile; it has been reloaded. Check it and save again.</p>
        </div>
      ) : Object.keys(errors).length === 0 ? (
        <SaveError error={save.error} />
      ) : null}
    </form>
  );
}
