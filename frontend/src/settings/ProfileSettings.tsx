/**
 * Settings → Your profile: the person's own time zone (every workspace they are in reads "today"
 * and reminder times in it). Anyone signed in can change theirs; no zone means the workspace's.
 */
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useId, useState } from 'react';
import { api, unwrap } from '../api/client';
import { keys } from '../api/keys';
import { useMe } from '../auth/session';
import { useWorkspace } from '../shell/workspaceData';
import { ErrorState, Loading, ProblemAlert } from '../ui/States';
import { showToast } from '../ui/toasts';

/** The zones the browser knows, plus any the list misses (Chromium leaves out UTC). */
export function zoneChoices(known: string[], ...also: (string | null | undefined)[]): string[] {
  const extra = also.filter((z): z is string => Boolean(z) && !known.includes(z as string));
  return [...new Set([...extra, ...known])].sort((a, b) => a.localeCompare(b));
}

const KNOWN_ZONES: string[] = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [];

function useSetTimezone() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (timezone: string | null) => unwrap(api.PATCH('/api/v1/me', { body: { timezone } })),
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: keys.me });
      void queryClient.invalidateQueries({ queryKey: keys.today });
    },
  });
}

export function ProfileSettings() {
  const me = useMe();
  if (me.isPending) return <Loading label="Loading your profile…" />;
  if (me.isError) return <ErrorState error={me.error} onRetry={() => void me.refetch()} />;
  return <TimezoneForm key={me.data.user.timezone ?? ''} own={me.data.user.timezone ?? null} effective={me.data.timezone} />;
}

function TimezoneForm({ own, effective }: { own: string | null; effective: string }) {
  const id = useId();
  const workspace = useWorkspace();
  const save = useSetTimezone();
  const [zone, setZone] = useState(own ?? '');
  const browserZone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  const zones = zoneChoices(KNOWN_ZONES, own, 'UTC', browserZone);
  const workspaceZone = workspace.data?.timezone;

  function submit(event: FormEvent) {
    event.preventDefault();
    save.mutate(zone || null, {
      onSuccess: (out) => showToast({ text: `Today now uses ${out.timezone}.` }),
    });
  }

  return (
    <form className="settings-form" aria-label="Your time zone" onSubmit={submit}>
      <p role="status" aria-label="Zone Today uses">
        Today and your reminders use <strong>{effective}</strong>
        {own ? ' (yours).' : ' (the workspace’s, as you have not chosen one).'}
      </p>
      <div className="field">
        <label htmlFor={`${id}-zone`}>Your time zone</label>
        <select id={`${id}-zone`} value={zone} onChange={(e) => setZone(e.target.value)}>
          <option value="">The workspace’s{workspaceZone ? ` (${workspaceZone})` : ''}</option>
          {zones.map((z) => (
            <option key={z} value={z}>
              {z}
            </option>
          ))}
        </select>
        <p className="muted">It applies in every workspace you are in. This browser is in {browserZone}.</p>
      </div>
      <ProblemAlert error={save.error} />
      <div className="form-actions">
        <button type="submit" className="button button-primary" disabled={save.isPending || zone === (own ?? '')}>
          Save time zone
        </button>
      </div>
    </form>
  );
}
