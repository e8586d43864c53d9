/**
 * Automations: the rules (when, only if, then), switched on and off, edited, and what each
 * firing did (its runs). Members see the rules; only admins change them.
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useId, useMemo, useState } from 'react';
import { Link } from 'react-router';
import { api, ifMatch, unwrap } from '../api/client';
import { ApiError, isApiError } from '../api/problem';
import type { Member, Pipeline } from '../api/types';
import { formatDateTime } from '../lib/dates';
import { usePipelines } from '../pipeline/boardData';
import { useMembers } from '../shell/workspaceData';
import { Empty } from '../ui/States';
import { ConfirmButton } from './ConfirmButton';
import { QueryGate, SaveError, useIsAdmin } from './access';
import {
  ACTIONS,
  type ActionDraft,
  type ActionType,
  type AutomationDraft,
  type AutomationOut,
  automationPayload,
  CONDITION_FIELDS,
  type ConditionDraft,
  type ConditionField,
  type ConditionOp,
  DURATION_UNITS,
  type DurationDraft,
  type DurationUnit,
  describeTrigger,
  draftFromAutomation,
  emptyAction,
  emptyCondition,
  emptyDraft,
  isIdField,
  OP_LABELS,
  opsFor,
  TRIGGERS,
  type TriggerType,
} from './automationForm';
import { settingsKeys } from './settingsKeys';

type Choices = { pipelines: Pipeline[]; members: Member[]; webhooks: { id: string; url: string }[] };

function useChoices(): Choices {
  const admin = useIsAdmin();
  const pipelines = usePipelines();
  const members = useMembers();
  const webhooks = useQuery({ queryKey: settingsKeys.webhooks, queryFn: () => unwrap(api.GET('/api/v1/webhooks')), enabled: admin });
  return {
    pipelines: pipelines.data?.items ?? [],
    members: members.data?.items ?? [],
    webhooks: webhooks.data?.items ?? [],
  };
}

function stageNamer(pipelines: Pipeline[]): (id: string) => string {
  const names = new Map<string, string>();
  for (const p of pipelines) for (const s of p.stages) names.set(s.id, pipelines.length > 1 ? `${p.name} › ${s.name}` : s.name);
  return (id) => names.get(id) ?? 'a removed stage';
}

export function AutomationsSettings() {
  const admin = useIsAdmin();
  const automations = useQuery({
    queryKey: settingsKeys.automations,
    queryFn: () => unwrap(api.GET('/api/v1/automations', { params: { query: { limit: 200 } } })),
  });
  const choices = useChoices();
  const [editing, setEditing] = useState<AutomationOut | 'new' | null>(null);
  const [runsOf, setRunsOf] = useState<AutomationOut | null>(null);
  const stageName = stageNamer(choices.pipelines);

  return (
    <>
      {admin && editing === null ? (
        <button type="button" className="button button-primary" onClick={() => setEditing('new')}>
          New automation
        </button>
      ) : null}
      {editing !== null ? (
        <AutomationEditor
          key={editing === 'new' ? 'new' : editing.id}
          automation={editing === 'new' ? null : editing}
          choices={choices}
          onDone={() => setEditing(null)}
        />
      ) : null}
      <QueryGate query={automations} what="automations">
        {() =>
          automations.data!.items.length === 0 ? (
            <Empty title="No automations yet.">
              {admin ? <p>Start with “New automation”: for example, a task when a deal sits idle for a week.</p> : null}
            </Empty>
          ) : (
            <div className="table-wrap">
              <table className="records" aria-label="Automations">
                <thead>
                  <tr>
                    <th scope="col">Name</th>
                    <th scope="col">When</th>
                    <th scope="col">Then</th>
                    <th scope="col">On</th>
                    <th scope="col">
                      <span className="visually-hidden">Actions</span>
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {automations.data!.items.map((a) => (
                    <AutomationRow
                      key={a.id}
                      automation={a}
                      when={describeTrigger(a.trigger, stageName)}
                      onEdit={() => setEditing(a)}
                      onRuns={() => setRunsOf(runsOf?.id === a.id ? null : a)}
                    />
                  ))}
                </tbody>
              </table>
            </div>
          )
        }
      </QueryGate>
      {runsOf ? <Runs automation={runsOf} onClose={() => setRunsOf(null)} /> : null}
    </>
  );
}

function explainStale(error: unknown): unknown {
  if (isApiError(error) && error.status === 412) {
    return new ApiError(412, {
      ...error.problem,
      detail: 'This automation was changed meanwhile; the list has been reloaded, so try again.',
    });
  }
  return error;
}

function AutomationRow({
  automation,
  when,
  onEdit,
  onRuns,
}: {
  automation: AutomationOut;
  when: string;
  onEdit: () => void;
  onRuns: () => void;
}) {
  const admin = useIsAdmin();
  const queryClient = useQueryClient();
  const [shown, setShown] = useState<boolean | null>(null);
  // Returned, so a mutation stays pending until the list shows its result.
  const refresh = () => queryClient.invalidateQueries({ queryKey: settingsKeys.automations });
  const toggle = useMutation({
    mutationFn: async (enabled: boolean) => {
      try {
        return await unwrap(
          api.PATCH('/api/v1/automations/{automation_id}', {
            params: { path: { automation_id: automation.id } },
            body: { enabled },
            headers: ifMatch(automation.version),
          }),
        );
      } catch (e) {
        throw explainStale(e);
      }
    },
    onSettled: refresh,
  });
  const remove = useMutation({
    mutationFn: () =>
      unwrap(
        api.DELETE('/api/v1/automations/{automation_id}', {
          params: { path: { automation_id: automation.id } },
          headers: ifMatch(automation.version),
        }),
      ),
    onSettled: refresh,
  });
  const then = automation.actions.map((a) => ACTIONS.find((x) => x.type === a.type)?.label ?? a.type).join(', ');
  return (
    <tr>
      <th scope="row">{automation.name}</th>
      <td>{when}</td>
      <td>{then}</td>
      <td>
        <input
          type="checkbox"
          aria-label={`${automation.name} enabled`}
          // Shows the new state at once; a refusal puts the saved one back.
          checked={shown ?? automation.enabled}
          disabled={!admin || toggle.isPending}
          onChange={(e) => {
            const enabled = e.target.checked;
            setShown(enabled);
            toggle.mutate(enabled, { onSettled: () => setShown(null) });
          }}
        />
        <SaveError error={toggle.error ?? remove.error} />
      </td>
      <td>
        <span className="form-actions">
          <button type="button" className="button button-small" onClick={onRuns}>
            Runs<span className="visually-hidden"> of {automation.name}</span>
          </button>
          {admin ? (
            <>
              <button type="button" className="button button-small" onClick={onEdit}>
                Edit<span className="visually-hidden"> {automation.name}</span>
              </button>
              <ConfirmButton
                label={`Delete ${automation.name}`}
                confirmLabel={`Delete ${automation.name} now`}
                busy={remove.isPending}
                onConfirm={() => remove.mutate()}
              />
            </>
          ) : null}
        </span>
      </td>
    </tr>
  );
}

function DurationInput({ label, value, onChange }: { label: string; value: DurationDraft; onChange: (d: DurationDraft) => void }) {
  const id = useId();
  return (
    <div className="field">
      <span className="field-label" id={`${id}-label`}>
        {label}
      </span>
      <span className="inline-form" role="group" aria-labelledby={`${id}-label`}>
        <input
          type="number"
          min={1}
          aria-label={`${label}: amount`}
          value={value.amount}
          onChange={(e) => onChange({ ...value, amount: e.target.value })}
          className="input-narrow"
        />
        <select
          aria-label={`${label}: unit`}
          value={value.unit}
          onChange={(e) => onChange({ ...value, unit: e.target.value as DurationUnit })}
        >
          {DURATION_UNITS.map((u) => (
            <option key={u.unit} value={u.unit}>
              {u.label}
            </option>
          ))}
        </select>
      </span>
    </div>
  );
}

function StageSelect({
  label,
  pipelines,
  value,
  onChange,
  optional = false,
}: {
  label: string;
  pipelines: Pipeline[];
  value: string;
  onChange: (id: string) => void;
  optional?: boolean;
}) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <select id={id} value={value} onChange={(e) => onChange(e.target.value)}>
        <option value="">{optional ? 'The first open stage' : 'Choose a stage'}</option>
        {pipelines.map((p) => (
          <optgroup key={p.id} label={p.name}>
            {[...p.stages]
              .sort((a, b) => a.position - b.position)
              .map((s) => (
                <option key={s.id} value={s.id}>
                  {s.name}
                </option>
              ))}
          </optgroup>
        ))}
      </select>
    </div>
  );
}

function AutomationEditor({ automation, choices, onDone }: { automation: AutomationOut | null; choices: Choices; onDone: () => void }) {
  const id = useId();
  const queryClient = useQueryClient();
  const [draft, setDraft] = useState<AutomationDraft>(() => (automation ? draftFromAutomation(automation) : emptyDraft()));
  const [problems, setProblems] = useState<string[]>([]);
  const save = useMutation({
    mutationFn: async (body: ReturnType<typeof automationPayload> & { ok: true }) => {
      try {
        if (automation) {
          return await unwrap(
            api.PATCH('/api/v1/automations/{automation_id}', {
              params: { path: { automation_id: automation.id } },
              body: body.body,
              headers: ifMatch(automation.version),
            }),
          );
        }
        return await unwrap(api.POST('/api/v1/automations', { body: body.body }));
      } catch (e) {
        throw explainStale(e);
      }
    },
    onSuccess: onDone,
    onSettled: () => void queryClient.invalidateQueries({ queryKey: settingsKeys.automations }),
  });

  function submit(event: FormEvent) {
    event.preventDefault();
    const result = automationPayload(draft);
    if (!result.ok) {
      setProblems(result.errors);
      return;
    }
    setProblems([]);
    save.mutate(result);
  }

  const setTrigger = (patch: Partial<AutomationDraft['trigger']>) => setDraft({ ...draft, trigger: { ...draft.trigger, ...patch } });
  const setCondition = (index: number, c: ConditionDraft) =>
    setDraft({ ...draft, conditions: draft.conditions.map((x, i) => (i === index ? c : x)) });
  const setAction = (index: number, a: ActionDraft) => setDraft({ ...draft, actions: draft.actions.map((x, i) => (i === index ? a : x)) });
  const title = automation ? `Edit automation ${automation.name}` : 'New automation';

  return (
    <form className="settings-form automation-editor" aria-label={title} onSubmit={submit}>
      <h3>{title}</h3>
      <div className="form-row">
        <div className="field field-grow">
          <label htmlFor={`${id}-name`}>Automation name</label>
          <input id={`${id}-name`} maxLength={200} value={draft.name} onChange={(e) => setDraft({ ...draft, name: e.target.value })} />
        </div>
        <label className="checkbox">
          <input type="checkbox" checked={draft.enabled} onChange={(e) => setDraft({ ...draft, enabled: e.target.checked })} /> Enabled
        </label>
      </div>

      <fieldset>
        <legend>When</legend>
        <div className="form-row">
          <div className="field">
            <label htmlFor={`${id}-trigger`}>Trigger</label>
            <select id={`${id}-trigger`} value={draft.trigger.type} onChange={(e) => setTrigger({ type: e.target.value as TriggerType })}>
              {TRIGGERS.map((t) => (
                <option key={t.type} value={t.type}>
                  {t.label}
                </option>
              ))}
            </select>
          </div>
          {draft.trigger.type === 'deal_stage_entered' ? (
            <StageSelect
              label="Stage"
              pipelines={choices.pipelines}
              value={draft.trigger.stage_id}
              onChange={(stage_id) => setTrigger({ stage_id })}
            />
          ) : null}
          {draft.trigger.type === 'deal_idle' || draft.trigger.type === 'renewal_due' ? (
            <DurationInput
              label={draft.trigger.type === 'deal_idle' ? 'Idle for' : 'Contract ends within'}
              value={draft.trigger.duration}
              onChange={(duration) => setTrigger({ duration })}
            />
          ) : null}
        </div>
      </fieldset>

      <fieldset>
        <legend>Only if</legend>
        {draft.conditions.length === 0 ? <p className="muted">Always (no conditions).</p> : null}
        {draft.conditions.map((c, index) => (
          <ConditionRow
            key={index}
            index={index}
            condition={c}
            choices={choices}
            onChange={(next) => setCondition(index, next)}
            onRemove={() => setDraft({ ...draft, conditions: draft.conditions.filter((_, i) => i !== index) })}
          />
        ))}
        <button
          type="button"
          className="button button-small"
          onClick={() => setDraft({ ...draft, conditions: [...draft.conditions, emptyCondition()] })}
        >
          Add condition
        </button>
      </fieldset>

      <fieldset>
        <legend>Then</legend>
        {draft.actions.map((a, index) => (
          <ActionEditor
            key={index}
            index={index}
            action={a}
            choices={choices}
            onChange={(next) => setAction(index, next)}
            onRemove={
              draft.actions.length > 1 ? () => setDraft({ ...draft, actions: draft.actions.filter((_, i) => i !== index) }) : undefined
            }
          />
        ))}
        <button
          type="button"
          className="button button-small"
          onClick={() => setDraft({ ...draft, actions: [...draft.actions, emptyAction('notify_owner')] })}
        >
          Add action
        </button>
      </fieldset>

      {problems.length > 0 ? (
        <div className="alert alert-error" role="alert">
          <ul>
            {problems.map((p) => (
              <li key={p}>{p}</li>
            ))}
          </ul>
        </div>
      ) : null}
      <SaveError error={save.error} />
      <div className="form-actions">
        <button type="submit" className="button button-primary" disabled={save.isPending}>
          Save automation
        </button>
        <button type="button" className="button button-quiet" onClick={onDone}>
          Cancel
        </button>
      </div>
    </form>
  );
}

function ConditionRow({
  index,
  condition,
  choices,
  onChange,
  onRemove,
}: {
  index: number;
  condition: ConditionDraft;
  choices: Choices;
  onChange: (c: ConditionDraft) => void;
  onRemove: () => void;
}) {
  const n = index + 1;
  const ops = opsFor(condition.field);
  const idOptions = useMemo(() => {
    if (condition.field === 'pipeline_id') return choices.pipelines.map((p) => ({ id: p.id, label: p.name }));
    if (condition.field === 'stage_id') {
      return choices.pipelines.flatMap((p) =>
        p.stages.map((s) => ({ id: s.id, label: choices.pipelines.length > 1 ? `${p.name} › ${s.name}` : s.name })),
      );
    }
    if (condition.field === 'owner_id') return choices.members.map((m) => ({ id: m.id, label: m.name || m.email }));
    return [];
  }, [condition.field, choices]);
  const selected = condition.value
    .split(',')
    .map((v) => v.trim())
    .filter(Boolean);
  return (
    <div className="inline-form rule-row" role="group" aria-label={`Condition ${n}`}>
      <select
        aria-label={`Condition ${n} field`}
        value={condition.field}
        onChange={(e) => {
          const field = e.target.value as ConditionField;
          onChange({ field, op: opsFor(field).includes(condition.op) ? condition.op : 'eq', value: '' });
        }}
      >
        {CONDITION_FIELDS.map((f) => (
          <option key={f.field} value={f.field}>
            {f.label}
          </option>
        ))}
      </select>
      <select
        aria-label={`Condition ${n} operator`}
        value={condition.op}
        onChange={(e) => onChange({ ...condition, op: e.target.value as ConditionOp })}
      >
        {ops.map((op) => (
          <option key={op} value={op}>
            {OP_LABELS[op]}
          </option>
        ))}
      </select>
      {isIdField(condition.field) ? (
        <select
          aria-label={`Condition ${n} value`}
          multiple={condition.op === 'in'}
          value={condition.op === 'in' ? selected : condition.value}
          onChange={(e) => onChange({ ...condition, value: Array.from(e.target.selectedOptions, (o) => o.value).join(', ') })}
        >
          {condition.op === 'in' ? null : <option value="">Choose</option>}
          {idOptions.map((o) => (
            <option key={o.id} value={o.id}>
              {o.label}
            </option>
          ))}
        </select>
      ) : (
        <input
          aria-label={`Condition ${n} value`}
          value={condition.value}
          inputMode={condition.field === 'amount' ? 'decimal' : undefined}
          placeholder={condition.op === 'in' ? 'a, b, c' : ''}
          onChange={(e) => onChange({ ...condition, value: e.target.value })}
        />
      )}
      <button type="button" className="button button-quiet button-small" onClick={onRemove}>
        Remove<span className="visually-hidden"> condition {n}</span>
      </button>
    </div>
  );
}

function ActionEditor({
  index,
  action,
  choices,
  onChange,
  onRemove,
}: {
  index: number;
  action: ActionDraft;
  choices: Choices;
  onChange: (a: ActionDraft) => void;
  onRemove: (() => void) | undefined;
}) {
  const id = useId();
  const n = index + 1;
  const text = (key: 'subject' | 'message' | 'tag' | 'reason', label: string, hint?: string) => (
    <div className="field field-grow">
      <label htmlFor={`${id}-${key}`}>{label}</label>
      <input id={`${id}-${key}`} value={action[key]} maxLength={500} onChange={(e) => onChange({ ...action, [key]: e.target.value })} />
      {hint ? <p className="muted small">{hint}</p> : null}
    </div>
  );
  return (
    <div className="action-editor" role="group" aria-label={`Action ${n}`}>
      <div className="form-row">
        <div className="field">
          <label htmlFor={`${id}-type`}>Action {n}</label>
          <select id={`${id}-type`} value={action.type} onChange={(e) => onChange({ ...emptyAction(e.target.value as ActionType) })}>
            {ACTIONS.map((a) => (
              <option key={a.type} value={a.type}>
                {a.label}
              </option>
            ))}
          </select>
        </div>
        {action.type === 'create_task' ? (
          <>
            {text('subject', 'Task subject', 'Placeholders: {deal.title}, {deal.amount}, {stage.name}, {contact.name}, {owner.name}…')}
            <DurationInput label="Due in" value={action.due_in} onChange={(due_in) => onChange({ ...action, due_in })} />
            <div className="field">
              <label htmlFor={`${id}-assignee`}>Assign to</label>
              <select id={`${id}-assignee`} value={action.assignee} onChange={(e) => onChange({ ...action, assignee: e.target.value })}>
                <option value="owner">The record’s owner</option>
                {choices.members.map((m) => (
                  <option key={m.id} value={m.id}>
                    {m.name || m.email}
                  </option>
                ))}
              </select>
            </div>
          </>
        ) : null}
        {action.type === 'notify_owner' ? text('message', 'Message (optional)', 'Left empty, it says which rule fired and why.') : null}
        {action.type === 'add_tag' ? text('tag', 'Tag') : null}
        {action.type === 'close_as_lost' ? text('reason', 'Lost reason') : null}
        {action.type === 'send_webhook' ? (
          <div className="field">
            <label htmlFor={`${id}-webhook`}>Webhook</label>
            <select
              id={`${id}-webhook`}
              value={action.subscription_id}
              onChange={(e) => onChange({ ...action, subscription_id: e.target.value })}
            >
              <option value="">Choose a webhook</option>
              {choices.webhooks.map((w) => (
                <option key={w.id} value={w.id}>
                  {w.url}
                </option>
              ))}
            </select>
            {choices.webhooks.length === 0 ? (
              <p className="muted small">
                No webhooks yet: add one in <Link to="/settings/webhooks">Webhooks</Link>.
              </p>
            ) : null}
          </div>
        ) : null}
        {action.type === 'create_renewal_deal' ? (
          <>
            <div className="field">
              <label htmlFor={`${id}-pipeline`}>Renewal pipeline</label>
              <select
                id={`${id}-pipeline`}
                value={action.pipeline_id}
                onChange={(e) => onChange({ ...action, pipeline_id: e.target.value, stage_id: '' })}
              >
                <option value="">Choose a pipeline</option>
                {choices.pipelines.map((p) => (
                  <option key={p.id} value={p.id}>
                    {p.name}
                  </option>
                ))}
              </select>
            </div>
            <StageSelect
              label="Renewal stage"
              optional
              pipelines={choices.pipelines.filter((p) => p.id === action.pipeline_id)}
              value={action.stage_id}
              onChange={(stage_id) => onChange({ ...action, stage_id })}
            />
          </>
        ) : null}
      </div>
      {action.type === 'assign_owner' ? (
        <fieldset className="checkbox-group">
          <legend>Members taking turns</legend>
          {choices.members.map((m) => (
            <label key={m.id}>
              <input
                type="checkbox"
                checked={action.member_ids.includes(m.id)}
                onChange={(e) =>
                  onChange({
                    ...action,
                    member_ids: e.target.checked ? [...action.member_ids, m.id] : action.member_ids.filter((x) => x !== m.id),
                  })
                }
              />{' '}
              {m.name || m.email}
            </label>
          ))}
        </fieldset>
      ) : null}
      {onRemove ? (
        <button type="button" className="button button-quiet button-small" onClick={onRemove}>
          Remove action {n}
        </button>
      ) : null}
    </div>
  );
}

function Runs({ automation, onClose }: { automation: AutomationOut; onClose: () => void }) {
  const id = useId();
  const runs = useQuery({
    queryKey: settingsKeys.automationRuns(automation.id),
    queryFn: () =>
      unwrap(
        api.GET('/api/v1/automations/{automation_id}/runs', { params: { path: { automation_id: automation.id }, query: { limit: 50 } } }),
      ),
  });
  return (
    <section className="settings-block" aria-labelledby={`${id}-title`}>
      <div className="page-header">
        <h3 id={`${id}-title`}>Runs of {automation.name}</h3>
        <button type="button" className="button button-quiet button-small" onClick={onClose}>
          Close runs
        </button>
      </div>
      <QueryGate query={runs} what="runs">
        {() =>
          runs.data!.items.length === 0 ? (
            <Empty title="It has not fired yet." />
          ) : (
            <div className="table-wrap">
              <table className="records" aria-label={`Runs of ${automation.name}`}>
                <thead>
                  <tr>
                    <th scope="col">Fired</th>
                    <th scope="col">Why</th>
                    <th scope="col">On</th>
                    <th scope="col">Outcome</th>
                    <th scope="col">What it did</th>
                  </tr>
                </thead>
                <tbody>
                  {runs.data!.items.map((r) => (
                    <tr key={r.id}>
                      <th scope="row">{formatDateTime(r.fired_at)}</th>
                      <td>{r.reason}</td>
                      <td>
                        {r.subject_type === 'deal' ? (
                          <Link to={`/deals/${r.subject_id}`}>deal</Link>
                        ) : r.subject_type === 'contact' ? (
                          <Link to={`/contacts/${r.subject_id}`}>contact</Link>
                        ) : (
                          r.subject_type
                        )}
                      </td>
                      <td>{r.outcome}</td>
                      <td>
                        <ul className="plain-list">
                          {r.actions.map((a, i) => (
                            <li key={i}>
                              {a.status}: {a.detail}
                            </li>
                          ))}
                        </ul>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )
        }
      </QueryGate>
    </section>
  );
}
