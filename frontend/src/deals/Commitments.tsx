/** The promises made on a deal: listed with their status, a new one added, a status changed. */
import { type FormEvent, useId, useState } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, ifMatch, unwrap } from '../api/client';
import type { ResponseOf } from '../api/types';
import { formatDate } from '../lib/dates';
import { Empty, ErrorState, errorText, Loading } from '../ui/States';

type Commitment = ResponseOf<'/api/v1/commitments/{commitment_id}'>;
type Status = Commitment['status'];
const STATUSES: Status[] = ['open', 'kept', 'broken', 'waived'];

export const commitmentKeys = {
  ofDeal: (dealId: string) => ['commitments', 'deal', dealId] as const,
};

function useDealCommitments(dealId: string) {
  return useQuery({
    queryKey: commitmentKeys.ofDeal(dealId),
    queryFn: () => unwrap(api.GET('/api/v1/commitments', { params: { query: { deal_id: dealId, sort: 'due_date', limit: 200 } } })),
  });
}

function useInvalidate(dealId: string) {
  const queryClient = useQueryClient();
  return () => {
    void queryClient.invalidateQueries({ queryKey: commitmentKeys.ofDeal(dealId) });
    void queryClient.invalidateQueries({ queryKey: ['timeline', 'deals', dealId] });
  };
}

export function Commitments({ dealId }: { dealId: string }) {
  const list = useDealCommitments(dealId);
  return (
    <section className="commitments" aria-labelledby={`commitments-${dealId}`}>
      <h2 id={`commitments-${dealId}`}>Commitments</h2>
      {list.isPending ? <Loading label="Loading commitments…" /> : null}
      {list.isError ? <ErrorState error={list.error} onRetry={() => void list.refetch()} /> : null}
      {list.data && list.data.items.length === 0 ? <Empty title="Nothing promised yet." /> : null}
      {list.data && list.data.items.length > 0 ? (
        <ul className="plain-list" aria-label="Commitments">
          {list.data.items.map((c) => (
            <CommitmentRow key={c.id} commitment={c} dealId={dealId} />
          ))}
        </ul>
      ) : null}
      <NewCommitment dealId={dealId} />
    </section>
  );
}

function CommitmentRow({ commitment, dealId }: { commitment: Commitment; dealId: string }) {
  const id = useId();
  const invalidate = useInvalidate(dealId);
  const change = useMutation({
    mutationFn: (status: Status) =>
      unwrap(
        api.PATCH('/api/v1/commitments/{commitment_id}', {
          params: { path: { commitment_id: commitment.id } },
          body: { status },
          headers: ifMatch(commitment.version),
        }),
      ),
    onSettled: invalidate,
  });
  const overdue =
    commitment.status === 'open' && commitment.due_date !== null && commitment.due_date < new Date().toISOString().slice(0, 10);
  return (
    <li aria-label={commitment.title}>
      <span>{commitment.title}</span>{' '}
      <span className="muted">{commitment.due_date ? `due ${formatDate(commitment.due_date)}` : 'no date'}</span>
      {overdue ? <span className="status-badge status-lost"> overdue</span> : null}{' '}
      <label htmlFor={`${id}-status`} className="visually-hidden">
        Status of {commitment.title}
      </label>
      <select
        id={`${id}-status`}
        value={commitment.status}
        disabled={change.isPending}
        onChange={(e) => change.mutate(e.target.value as Status)}
      >
        {STATUSES.map((s) => (
          <option key={s} value={s}>
            {s}
          </option>
        ))}
      </select>
      {change.error ? (
        <p className="field-error" role="alert">
          {errorText(change.error)}
        </p>
      ) : null}
    </li>
  );
}

function NewCommitment({ dealId }: { dealId: string }) {
  const id = useId();
  const invalidate = useInvalidate(dealId);
  const [title, setTitle] = useState('');
  const [due, setDue] = useState('');
  const create = useMutation({
    mutationFn: () =>
      unwrap(
        api.POST('/api/v1/commitments', {
          body: { title: title.trim(), deal_id: dealId, due_date: due || null, status: 'open' },
        }),
      ),
    onSuccess: () => {
      setTitle('');
      setDue('');
    },
    onSettled: invalidate,
  });
  function submit(event: FormEvent) {
    event.preventDefault();
    if (title.trim()) create.mutate();
  }
  return (
    <form className="inline-form" onSubmit={submit} aria-label="New commitment">
      <label htmlFor={`${id}-title`}>Promise</label>
      <input id={`${id}-title`} value={title} required maxLength={500} onChange={(e) => setTitle(e.target.value)} />
      <label htmlFor={`${id}-due`}>Due</label>
      <input id={`${id}-due`} type="date" value={due} onChange={(e) => setDue(e.target.value)} />
      <button type="submit" className="button button-small" disabled={create.isPending}>
        Add commitment
      </button>
      {create.error ? (
        <p className="field-error" role="alert">
          {errorText(create.error)}
        </p>
      ) : null}
    </form>
  );
}
