/** Settings → Lost reasons: the pick-list a lost deal's reason comes from. Admins add and remove entries. */
import { type FormEvent, useId, useState } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '../api/client';
import { keys } from '../api/keys';
import type { LostReason } from '../api/types';
import { useMe } from '../auth/session';
import { ErrorState, errorText, Loading } from '../ui/States';
import { useLostReasons } from './customFieldsData';

function useAddLostReason() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (label: string) => unwrap(api.POST('/api/v1/lost-reasons', { body: { label } })),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: keys.lostReasons }),
  });
}

function useRemoveLostReason() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (reason: LostReason) =>
      unwrap(api.DELETE('/api/v1/lost-reasons/{reason_id}', { params: { path: { reason_id: reason.id } } })),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: keys.lostReasons }),
  });
}

export function LostReasonsSettings() {
  const id = useId();
  const me = useMe();
  const isAdmin = me.data?.role === 'admin';
  const reasons = useLostReasons();
  const add = useAddLostReason();
  const remove = useRemoveLostReason();
  const [label, setLabel] = useState('');

  function submit(event: FormEvent) {
    event.preventDefault();
    if (label.trim()) add.mutate(label.trim(), { onSuccess: () => setLabel('') });
  }

  const failure = add.error ?? remove.error;
  return (
    <div className="settings-block">
      <p className="muted">A deal marked lost names one of these; &ldquo;Other&rdquo; asks for the words behind it.</p>
      {reasons.isPending ? (
        <Loading />
      ) : reasons.isError ? (
        <ErrorState error={reasons.error} onRetry={() => void reasons.refetch()} />
      ) : (
        <ul className="plain-list" aria-label="Lost reasons">
          {reasons.data.items.map((reason) => (
            <li key={reason.id}>
              {reason.label}
              {isAdmin && !reason.other ? (
                <button
                  type="button"
                  className="button button-quiet button-small"
                  aria-label={`Remove ${reason.label}`}
                  disabled={remove.isPending}
                  onClick={() => remove.mutate(reason)}
                >
                  Remove
                </button>
              ) : null}
            </li>
          ))}
        </ul>
      )}
      {isAdmin ? (
        <form className="inline-form" onSubmit={submit}>
          <label htmlFor={`${id}-label`}>New reason</label>
          <input id={`${id}-label`} required maxLength={200} value={label} onChange={(e) => setLabel(e.target.value)} />
          <button type="submit" className="button button-small" disabled={add.isPending}>
            Add reason
          </button>
        </form>
      ) : null}
      {failure ? (
        <p className="field-error" role="alert">
          {errorText(failure)}
        </p>
      ) : null}
    </div>
  );
}
