/**
 * Lead-capture forms: their settings (where leads go, field mapping, allowed origins), the embed
 * snippets to paste into a site (plain HTML, or JavaScript that posts without a reload), and the
 * submissions received, with a retry for failed ones.
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useId, useState } from 'react';
import { Link } from 'react-router';
import { api, ifMatch, unwrap } from '../api/client';
import { ApiError, isApiError } from '../api/problem';
import { formatDateTime } from '../lib/dates';
import { usePipelines } from '../pipeline/boardData';
import { useMembers } from '../shell/workspaceData';
import { Empty } from '../ui/States';
import { CodeBlock } from './CopyButton';
import { ConfirmButton } from './ConfirmButton';
import { QueryGate, SaveError, useIsAdmin } from './access';
import { draftFromForm, emptyFormDraft, type FormDraft, formBody, type FormOut, jsSnippet, MAPPING_TARGETS } from './formSettings';
import { settingsKeys } from './settingsKeys';

export function FormsSettings() {
  const admin = useIsAdmin();
  const forms = useQuery({
    queryKey: settingsKeys.forms,
    queryFn: () => unwrap(api.GET('/api/v1/forms', { params: { query: { limit: 200 } } })),
    enabled: admin,
  });
  const [openId, setOpenId] = useState<string | null>(null);
  const [creating, setCreating] = useState(false);

  if (!admin) {
    return (
      <p className="note" role="note">
        Only admins can see and change forms.
      </p>
    );
  }
  const open = forms.data?.items.find((f) => f.id === openId);
  return (
    <>
      {creating ? (
        <FormEditor
          form={null}
          onDone={(created) => {
            setCreating(false);
            if (created) setOpenId(created.id);
          }}
        />
      ) : (
        <button
          type="button"
          className="button button-primary"
          onClick={() => {
            setOpenId(null);
            setCreating(true);
          }}
        >
          New form
        </button>
      )}
      <QueryGate query={forms} what="forms">
        {() =>
          forms.data!.items.length === 0 ? (
            <Empty title="No forms yet.">
              <p>A form gives you a snippet to paste into your site; each submission becomes a contact (and a deal, if you like).</p>
            </Empty>
          ) : (
            <div className="table-wrap">
              <table className="records" aria-label="Forms">
                <thead>
                  <tr>
                    <th scope="col">Name</th>
                    <th scope="col">Makes deals</th>
                    <th scope="col">Processed</th>
                    <th scope="col">Waiting</th>
                    <th scope="col">Failed or rejected</th>
                    <th scope="col">
                      <span className="visually-hidden">Actions</span>
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {forms.data!.items.map((f) => (
                    <tr key={f.id}>
                      <th scope="row">{f.name}</th>
                      <td>{f.create_deal ? 'Yes' : 'No'}</td>
                      <td>{f.submissions.processed}</td>
                      <td>{f.submissions.pending}</td>
                      <td>{f.submissions.failed + f.submissions.rejected}</td>
                      <td>
                        <button
                          type="button"
                          className="button button-small"
                          aria-expanded={openId === f.id}
                          onClick={() => {
                            setCreating(false);
                            setOpenId(openId === f.id ? null : f.id);
                          }}
                        >
                          Open<span className="visually-hidden"> {f.name}</span>
                        </button>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )
        }
      </QueryGate>
      {open ? <FormDetail key={open.id} form={open} onDeleted={() => setOpenId(null)} /> : null}
    </>
  );
}

function FormDetail({ form, onDeleted }: { form: FormOut; onDeleted: () => void }) {
  const id = useId();
  const queryClient = useQueryClient();
  const [editing, setEditing] = useState(false);
  const remove = useMutation({
    mutationFn: () =>
      unwrap(api.DELETE('/api/v1/forms/{form_id}', { params: { path: { form_id: form.id } }, headers: ifMatch(form.version) })),
    onSuccess: onDeleted,
    onSettled: () => void queryClient.invalidateQueries({ queryKey: settingsKeys.forms }),
  });
  return (
    <section className="settings-block" aria-labelledby={`${id}-title`}>
      <div className="page-header">
        <h3 id={`${id}-title`}>{form.name}</h3>
        <span className="form-actions">
          <button type="button" className="button button-small" aria-expanded={editing} onClick={() => setEditing(!editing)}>
            Edit form settings
          </button>
          <ConfirmButton
            label="Delete form"
            confirmLabel={`Delete ${form.name} now`}
            busy={remove.isPending}
            onConfirm={() => remove.mutate()}
          />
        </span>
      </div>
      <SaveError error={remove.error} />
      {editing ? <FormEditor form={form} onDone={() => setEditing(false)} /> : null}
      <section aria-labelledby={`${id}-embed`}>
        <h4 id={`${id}-embed`}>Embed snippet</h4>
        <p className="muted">
          Paste the HTML where the form should appear. Submissions go to <code className="break">{form.submission_url}</code>
          {form.secret ? ' and must be signed (Rapport-Signature): send them from your server.' : '.'}
        </p>
        <CodeBlock code={form.embed_html} label="HTML embed snippet" />
        <p className="muted">
          To post without leaving the page, give the form <code>id="rapport-form"</code> and add this script
          {form.allowed_origins.length === 0 ? ' (any site may post; list your site under allowed origins to restrict it)' : ''}:
        </p>
        <CodeBlock code={jsSnippet(form.submission_url)} label="JavaScript embed snippet" />
      </section>
      <Submissions form={form} />
    </section>
  );
}

function explainStale(error: unknown): unknown {
  if (isApiError(error) && error.status === 412) {
    return new ApiError(412, {
      ...error.problem,
      detail: 'This form was changed meanwhile; it has been reloaded, so check it and save again.',
    });
  }
  return error;
}

function FormEditor({ form, onDone }: { form: FormOut | null; onDone: (saved: FormOut | null) => void }) {
  const id = useId();
  const queryClient = useQueryClient();
  const pipelines = usePipelines();
  const members = useMembers();
  const [draft, setDraft] = useState<FormDraft>(() => (form ? draftFromForm(form) : emptyFormDraft()));
  const save = useMutation({
    mutationFn: async () => {
      const body = formBody(draft);
      try {
        if (form) {
          return await unwrap(
            api.PATCH('/api/v1/forms/{form_id}', { params: { path: { form_id: form.id } }, body, headers: ifMatch(form.version) }),
          );
        }
        return await unwrap(api.POST('/api/v1/forms', { body }));
      } catch (e) {
        throw explainStale(e);
      }
    },
    onSuccess: (saved) => onDone(saved),
    onSettled: () => void queryClient.invalidateQueries({ queryKey: settingsKeys.forms }),
  });
  const pipelineItems = pipelines.data?.items ?? [];
  const pipeline = pipelineItems.find((p) => p.id === draft.pipeline_id);
  const set = (patch: Partial<FormDraft>) => setDraft({ ...draft, ...patch });
  const title = form ? `Settings of ${form.name}` : 'New form';

  function submit(event: FormEvent) {
    event.preventDefault();
    save.mutate();
  }

  return (
    <form className="settings-form" aria-label={title} onSubmit={submit}>
      <h4>{title}</h4>
      <div className="field">
        <label htmlFor={`${id}-name`}>Form name</label>
        <input id={`${id}-name`} required maxLength={200} value={draft.name} onChange={(e) => set({ name: e.target.value })} />
      </div>
      <label className="checkbox">
        <input type="checkbox" checked={draft.create_deal} onChange={(e) => set({ create_deal: e.target.checked })} /> Create a deal for
        each submission
      </label>
      <div className="form-row">
        <div className="field">
          <label htmlFor={`${id}-pipeline`}>Pipeline for deals</label>
          <select id={`${id}-pipeline`} value={draft.pipeline_id} onChange={(e) => set({ pipeline_id: e.target.value, stage_id: '' })}>
            <option value="">The default pipeline</option>
            {pipelineItems.map((p) => (
              <option key={p.id} value={p.id}>
                {p.name}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor={`${id}-stage`}>Stage for deals</label>
          <select id={`${id}-stage`} value={draft.stage_id} disabled={!pipeline} onChange={(e) => set({ stage_id: e.target.value })}>
            <option value="">The first open stage</option>
            {(pipeline?.stages ?? []).map((s) => (
              <option key={s.id} value={s.id}>
                {s.name}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor={`${id}-owner`}>Owner of new leads</label>
          <select id={`${id}-owner`} value={draft.owner_id} onChange={(e) => set({ owner_id: e.target.value })}>
            <option value="">Whoever made the form</option>
            {(members.data?.items ?? []).map((m) => (
              <option key={m.id} value={m.id}>
                {m.name || m.email}
              </option>
            ))}
          </select>
        </div>
      </div>
      <div className="field">
        <label htmlFor={`${id}-thanks`}>Thank-you page URL</label>
        <input
          id={`${id}-thanks`}
          type="url"
          maxLength={2000}
          value={draft.thank_you_url}
          onChange={(e) => set({ thank_you_url: e.target.value })}
        />
      </div>
      <div className="field">
        <label htmlFor={`${id}-origins`}>Allowed origins (one per line; empty: any site)</label>
        <textarea
          id={`${id}-origins`}
          rows={2}
          value={draft.allowed_origins}
          placeholder="https://www.example.com"
          onChange={(e) => set({ allowed_origins: e.target.value })}
        />
      </div>
      <fieldset>
        <legend>Field mapping</legend>
        <p className="muted small">
          Common names (email, name, phone, company, message, utm_*) map themselves. Map others here, e.g. <code>organisation</code> to
          company, or to <code>custom_fields.budget</code>.
        </p>
        <datalist id={`${id}-targets`}>
          {MAPPING_TARGETS.map((t) => (
            <option key={t} value={t} />
          ))}
        </datalist>
        {draft.mapping.map((row, index) => (
          <div key={index} className="inline-form rule-row" role="group" aria-label={`Mapping ${index + 1}`}>
            <input
              aria-label={`Mapping ${index + 1}: submitted field`}
              value={row.from}
              placeholder="organisation"
              onChange={(e) => set({ mapping: draft.mapping.map((r, i) => (i === index ? { ...r, from: e.target.value } : r)) })}
            />
            <span aria-hidden="true">→</span>
            <input
              aria-label={`Mapping ${index + 1}: Rapport field`}
              list={`${id}-targets`}
              value={row.to}
              placeholder="company"
              onChange={(e) => set({ mapping: draft.mapping.map((r, i) => (i === index ? { ...r, to: e.target.value } : r)) })}
            />
            <button
              type="button"
              className="button button-quiet button-small"
              onClick={() => set({ mapping: draft.mapping.filter((_, i) => i !== index) })}
            >
              Remove<span className="visually-hidden"> mapping {index + 1}</span>
            </button>
          </div>
        ))}
        <button type="button" className="button button-small" onClick={() => set({ mapping: [...draft.mapping, { from: '', to: '' }] })}>
          Add mapping
        </button>
      </fieldset>
      <SaveError error={save.error} />
      <div className="form-actions">
        <button type="submit" className="button button-primary" disabled={save.isPending}>
          {form ? 'Save form' : 'Create form'}
        </button>
        <button type="button" className="button button-quiet" onClick={() => onDone(null)}>
          Cancel
        </button>
      </div>
    </form>
  );
}

function Submissions({ form }: { form: FormOut }) {
  const id = useId();
  const queryClient = useQueryClient();
  const submissions = useQuery({
    queryKey: settingsKeys.submissions(form.id),
    queryFn: () => unwrap(api.GET('/api/v1/forms/{form}/submissions', { params: { path: { form: form.id }, query: { limit: 50 } } })),
  });
  const retry = useMutation({
    mutationFn: (submissionId: string) =>
      unwrap(
        api.POST('/api/v1/forms/{form}/submissions/{submission_id}/retry', {
          params: { path: { form: form.id, submission_id: submissionId } },
        }),
      ),
    onSettled: () => {
      void queryClient.invalidateQueries({ queryKey: settingsKeys.submissions(form.id) });
      void queryClient.invalidateQueries({ queryKey: settingsKeys.forms });
    },
  });
  return (
    <section aria-labelledby={`${id}-title`}>
      <div className="page-header">
        <h4 id={`${id}-title`}>Submissions</h4>
        <button type="button" className="button button-quiet button-small" onClick={() => void submissions.refetch()}>
          Refresh submissions
        </button>
      </div>
      <QueryGate query={submissions} what="submissions">
        {() =>
          submissions.data!.items.length === 0 ? (
            <Empty title="Nothing has been submitted yet." />
          ) : (
            <div className="table-wrap">
              <table className="records" aria-label={`Submissions to ${form.name}`}>
                <thead>
                  <tr>
                    <th scope="col">Received</th>
                    <th scope="col">Email</th>
                    <th scope="col">Status</th>
                    <th scope="col">Why</th>
                    <th scope="col">Contact</th>
                  </tr>
                </thead>
                <tbody>
                  {submissions.data!.items.map((s) => (
                    <tr key={s.id}>
                      <th scope="row">{formatDateTime(s.received_at)}</th>
                      <td>{String(s.lead.email ?? s.fields.email ?? '—')}</td>
                      <td>
                        {s.status}
                        {s.status === 'failed' ? (
                          <button
                            type="button"
                            className="button button-quiet button-small"
                            disabled={retry.isPending}
                            onClick={() => retry.mutate(s.id)}
                          >
                            Retry
                          </button>
                        ) : null}
                      </td>
                      <td>{s.reason ?? '—'}</td>
                      <td>{s.contact_id ? <Link to={`/contacts/${s.contact_id}`}>Open contact</Link> : '—'}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )
        }
      </QueryGate>
      <SaveError error={retry.error} />
    </section>
  );
}
