/** /deals/:dealId: the deal's fields (edited in place, with If-Match), its timeline, logging activity. */
import { type FormEvent, useId, useState } from 'react';
import { Link, useParams } from 'react-router';
import { useAccount } from '../accounts/accountData';
import { FilesPanel } from '../files/FilesPanel';
import { ActivityForm } from '../activities/ActivityForm';
import { Timeline } from '../activities/Timeline';
import { isApiError, moveFailureMessage } from '../api/problem';
import type { Deal, Pipeline, Stage } from '../api/types';
import { contactName, useContact } from '../contacts/contactData';
import { formatDate, formatDateTime } from '../lib/dates';
import { formatMoney, parseAmountInput } from '../lib/money';
import { usePipelines } from '../pipeline/boardData';
import { MemberName } from '../shell/MemberName';
import { DeleteRecordButton } from '../trash/DeleteRecordButton';
import { EditableField } from '../ui/EditableField';
import { ErrorState, errorText, Loading } from '../ui/States';
import { Commitments } from './Commitments';
import { CustomFieldsPanel } from './CustomFieldsPanel';
import { type LostReasonChoice, LostReasonPicker } from './LostReasonPicker';
import { useChangeStage, useDeal, useUpdateDeal } from './dealData';

export function DealPage() {
  const { dealId = '' } = useParams();
  const deal = useDeal(dealId);

  if (deal.isPending) return <Loading label="Loading the deal…" />;
  if (deal.isError) {
    const gone = isApiError(deal.error) && deal.error.status === 404;
    return (
      <section className="page">
        <h1>{gone ? 'Deal not found' : 'Deal'}</h1>
        <ErrorState error={deal.error} onRetry={gone ? undefined : () => void deal.refetch()} />
        <p>
          <Link to="/pipeline">Back to the pipeline</Link>
        </p>
      </section>
    );
  }
  return <DealView deal={deal.data} />;
}

function stagesOf(pipelines: Pipeline[] | undefined, pipelineId: string): Stage[] {
  const pipeline = pipelines?.find((p) => p.id === pipelineId);
  return [...(pipeline?.stages ?? [])].sort((a, b) => a.position - b.position);
}

function DealView({ deal }: { deal: Deal }) {
  const update = useUpdateDeal(deal);
  const pipelines = usePipelines();
  const stages = stagesOf(pipelines.data?.items, deal.pipeline_id);
  const stage = stages.find((s) => s.id === deal.stage_id);
  const account = useAccount(deal.account_id ?? null);

  const save = (patch: Parameters<typeof update.mutateAsync>[0]) => update.mutateAsync(patch);

  return (
    <section className="page record-page" aria-labelledby="deal-title">
      <p className="breadcrumb">
        <Link to={`/pipeline/${deal.pipeline_id}`}>Pipeline</Link> / Deal
      </p>
      <div className="page-header">
        <title>{`${deal.title} · Rapport`}</title>
        <h1 id="deal-title">{deal.title}</h1>
        <span className={`status-badge status-${deal.status}`}>{deal.status}</span>
        <DeleteRecordButton object="deals" id={deal.id} name={deal.title} noun="deal" />
      </div>

      <div className="record-layout">
        <section className="record-fields" aria-label="Deal details">
          <dl>
            <EditableField label="Title" value={deal.title} display={deal.title} required onSave={(v) => save({ title: v })} />
            <EditableField
              label="Amount"
              type="decimal"
              value={deal.amount ?? ''}
              display={formatMoney(deal.amount ?? null, deal.currency)}
              onSave={(v) => {
                if (v === '') return save({ amount: null });
                const parsed = parseAmountInput(v);
                if (parsed === null) return Promise.reject(new Error('Enter a number, like 1500 or 1500.50'));
                return save({ amount: parsed });
              }}
            />
            <EditableField
              label="Expected close date"
              type="date"
              value={deal.expected_close_date ?? ''}
              display={formatDate(deal.expected_close_date)}
              onSave={(v) => save({ expected_close_date: v || null })}
            />
            <StageField deal={deal} stages={stages} currentName={stage?.name} />
            <div className="editable">
              <dt>Owner</dt>
              <dd>
                <MemberName id={deal.owner_id} />
              </dd>
            </div>
            <div className="editable">
              <dt>Account</dt>
              <dd>{deal.account_id ? <Link to={`/accounts/${deal.account_id}`}>{account.data?.name ?? 'Open account'}</Link> : '—'}</dd>
            </div>
            {deal.contact_ids.length > 0 ? (
              <div className="editable">
                <dt>Contacts</dt>
                <dd>
                  <ul className="plain-list">
                    {deal.contacts.map(({ contact_id, role }) => (
                      <li key={contact_id}>
                        <ContactLink id={contact_id} />{' '}
                        <RoleSelect
                          role={role}
                          contactId={contact_id}
                          onChange={(next) =>
                            save({
                              contacts: deal.contacts.map((c) => ({
                                contact_id: c.contact_id,
                                role: c.contact_id === contact_id ? next : (c.role ?? null),
                              })),
                            })
                          }
                        />
                      </li>
                    ))}
                  </ul>
                </dd>
              </div>
            ) : null}
            {deal.lost_reason ? (
              <div className="editable">
                <dt>Lost reason</dt>
                <dd>
                  {deal.lost_reason}
                  {deal.lost_reason_detail ? `: ${deal.lost_reason_detail}` : ''}
                </dd>
              </div>
            ) : null}
            {deal.closed_at ? (
              <div className="editable">
                <dt>Closed</dt>
                <dd>{formatDateTime(deal.closed_at)}</dd>
              </div>
            ) : null}
            {deal.project_id ? (
              <div className="editable">
                <dt>Project</dt>
                <dd>
                  <Link to={`/projects/${deal.project_id}`}>Open the delivery project</Link>
                </dd>
              </div>
            ) : null}
            <div className="editable">
              <dt>Created</dt>
              <dd>{formatDateTime(deal.created_at)}</dd>
            </div>
            <CustomFieldsPanel deal={deal} />
          </dl>
          <Commitments dealId={deal.id} />
        </section>
        <div className="record-activity">
          <FilesPanel subject="deals" id={deal.id} />
          <ActivityForm subject="deals" id={deal.id} />
          <Timeline subject="deals" id={deal.id} />
        </div>
      </div>
    </section>
  );
}

const ROLE_LABELS: Record<NonNullable<Deal['contacts'][number]['role']>, string> = {
  decision_maker: 'decision maker',
  champion: 'champion',
  influencer: 'influencer',
  user: 'user',
  other: 'other',
};

type ContactRole = NonNullable<Deal['contacts'][number]['role']>;

/** The role a contact plays on this deal; next actions speak of "the champion" by name. */
function RoleSelect({
  role,
  contactId,
  onChange,
}: {
  role: ContactRole | null | undefined;
  contactId: string;
  onChange: (next: ContactRole | null) => Promise<unknown>;
}) {
  const contact = useContact(contactId);
  const [error, setError] = useState<unknown>(null);
  const name = contact.data ? contactName(contact.data) : 'this contact';
  return (
    <>
      <select
        aria-label={`Role of ${name}`}
        value={role ?? ''}
        onChange={(e) => {
          setError(null);
          onChange((e.target.value || null) as ContactRole | null).catch(setError);
        }}
      >
        <option value="">No role</option>
        {(Object.keys(ROLE_LABELS) as ContactRole[]).map((r) => (
          <option key={r} value={r}>
            {ROLE_LABELS[r]}
          </option>
        ))}
      </select>
      {error ? (
        <span className="field-error" role="alert">
          {errorText(error)}
        </span>
      ) : null}
    </>
  );
}

function ContactLink({ id }: { id: string }) {
  const contact = useContact(id);
  return <Link to={`/contacts/${id}`}>{contact.data ? contactName(contact.data) : 'Contact'}</Link>;
}

/** The stage, changed through the move endpoint (which checks the stage's required fields). */
function StageField({ deal, stages, currentName }: { deal: Deal; stages: Stage[]; currentName: string | undefined }) {
  const id = useId();
  const change = useChangeStage(deal);
  const [editing, setEditing] = useState(false);
  const [stageId, setStageId] = useState(deal.stage_id);
  const [lost, setLost] = useState<LostReasonChoice>({ reason: '', detail: '' });
  const target = stages.find((s) => s.id === stageId);
  const needsReason = target?.kind === 'lost' && !deal.lost_reason;

  function submit(event: FormEvent) {
    event.preventDefault();
    if (stageId === deal.stage_id) {
      setEditing(false);
      return;
    }
    change.mutate(
      { stageId, ...(needsReason && lost.reason ? { lostReason: lost.reason, lostReasonDetail: lost.detail.trim() || undefined } : {}) },
      { onSuccess: () => setEditing(false) },
    );
  }

  const message = change.error
    ? isApiError(change.error) && change.error.status === 422
      ? moveFailureMessage(422, change.error.problem, target?.name ?? 'This stage')
      : errorText(change.error)
    : null;

  if (!editing) {
    return (
      <div className="editable">
        <dt>Stage</dt>
        <dd>
          <span className="editable-value">{currentName ?? '—'}</span>
          {stages.length > 0 ? (
            <button
              type="button"
              className="button button-quiet button-small"
              aria-label="Edit stage"
              onClick={() => {
                setStageId(deal.stage_id);
                change.reset();
                setEditing(true);
              }}
            >
              Edit
            </button>
          ) : null}
        </dd>
      </div>
    );
  }

  return (
    <div className="editable editable-editing">
      <dt>
        <label htmlFor={`${id}-stage`}>Stage</label>
      </dt>
      <dd>
        <form className="inline-form" onSubmit={submit}>
          <select id={`${id}-stage`} value={stageId} onChange={(e) => setStageId(e.target.value)} autoFocus>
            {stages.map((s) => (
              <option key={s.id} value={s.id}>
                {s.name}
              </option>
            ))}
          </select>
          {needsReason ? <LostReasonPicker value={lost} onChange={setLost} /> : null}
          <button type="submit" className="button button-primary button-small" disabled={change.isPending}>
            Save
          </button>
          <button type="button" className="button button-quiet button-small" onClick={() => setEditing(false)}>
            Cancel
          </button>
        </form>
        {message ? (
          <p className="field-error" role="alert">
            {message}
          </p>
        ) : null}
      </dd>
    </div>
  );
}
