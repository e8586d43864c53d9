/**
 * Pipelines and their stages: create and rename pipelines, pick the default; add, edit, reorder
 * (Move up / Move down buttons, so the keyboard does it as well as the mouse) and delete stages.
 * Every stage write sends the stage's version as If-Match; a 412 reloads the pipelines.
 */
import { useIsMutating, useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useEffect, useId, useState } from 'react';
import { api, ifMatch, unwrap } from '../api/client';
import { keys } from '../api/keys';
import { ApiError, fieldLabel, isApiError } from '../api/problem';
import type { components } from '../api/schema';
import type { Pipeline } from '../api/types';
import { defaultPipeline, usePipelines } from '../pipeline/boardData';
import { Empty } from '../ui/States';
import { QueryGate, SaveError, useIsAdmin } from './access';

type Stage = Pipeline['stages'][number];
type StageKind = Stage['kind'];
type RequirableField = Stage['required_fields'][number];
type StageIn = components['schemas']['StageIn'];

export const REQUIRABLE_STAGE_FIELDS: RequirableField[] = [
  'amount',
  'expected_close_date',
  'account_id',
  'contact_ids',
  'owner_id',
  'source',
];
const KINDS: { value: StageKind; label: string }[] = [
  { value: 'open', label: 'Open' },
  { value: 'won', label: 'Won' },
  { value: 'lost', label: 'Lost' },
];

const MOVE_KEY = ['settings', 'move-stage'];

/** Pipelines and boards show stages: both are stale after any change here. */
function useRefresh() {
  const queryClient = useQueryClient();
  // Returns the pipelines' refetch, so a mutation stays pending until the list shows its result
  // (and the versions the next write sends are current).
  return () => {
    void queryClient.invalidateQueries({ queryKey: keys.boards });
    return queryClient.invalidateQueries({ queryKey: keys.pipelines });
  };
}

/** A stale If-Match said as what happened; the pipelines reload meanwhile. */
function explainStale(error: unknown): unknown {
  if (isApiError(error) && error.status === 412) {
    return new ApiError(412, {
      ...error.problem,
      detail: 'Someone else changed this meanwhile; the pipelines have been reloaded, so check and try again.',
    });
  }
  return error;
}

export function PipelinesSettings() {
  const pipelines = usePipelines();
  const [selectedId, setSelectedId] = useState<string | null>(null);
  const id = useId();
  return (
    <QueryGate query={pipelines} what="pipelines">
      {() => {
        const items = pipelines.data!.items;
        const selected = items.find((p) => p.id === selectedId) ?? defaultPipeline(items);
        return (
          <>
            <div className="settings-toolbar">
              <div className="field field-inline">
                <label htmlFor={`${id}-pipeline`}>Pipeline</label>
                <select id={`${id}-pipeline`} value={selected?.id ?? ''} onChange={(e) => setSelectedId(e.target.value)}>
                  {items.map((p) => (
                    <option key={p.id} value={p.id}>
                      {p.name}
                      {p.is_default ? ' (default)' : ''}
                    </option>
                  ))}
                </select>
              </div>
              <NewPipeline onCreated={setSelectedId} />
            </div>
            {selected ? (
              <PipelineEditor key={selected.id} pipeline={selected} onDeleted={() => setSelectedId(null)} />
            ) : (
              <Empty title="No pipelines yet." />
            )}
          </>
        );
      }}
    </QueryGate>
  );
}

function NewPipeline({ onCreated }: { onCreated: (id: string) => void }) {
  const id = useId();
  const admin = useIsAdmin();
  const refresh = useRefresh();
  const [open, setOpen] = useState(false);
  const [name, setName] = useState('');
  const create = useMutation({
    mutationFn: () =>
      unwrap(
        api.POST('/api/v1/pipelines', {
          body: {
            name: name.trim(),
            is_default: false,
            on_won: 'project',
            // A pipeline needs a way to close deals: start it with the usual three.
            stages: [
              { name: 'New', probability: 10, kind: 'open', required_fields: [] },
              { name: 'Won', probability: 100, kind: 'won', required_fields: [] },
              { name: 'Lost', probability: 0, kind: 'lost', required_fields: [] },
            ],
          },
        }),
      ),
    onSuccess: (pipeline) => {
      refresh();
      onCreated(pipeline.id);
      setName('');
      setOpen(false);
    },
  });
  if (!admin) return null;
  if (!open) {
    return (
      <button type="button" className="button" onClick={() => setOpen(true)}>
        New pipeline
      </button>
    );
  }
  return (
    <form
      className="inline-form"
      aria-label="New pipeline"
      onSubmit={(e) => {
        e.preventDefault();
        create.mutate();
      }}
    >
      <label htmlFor={`${id}-name`}>Pipeline name</label>
      <input id={`${id}-name`} required maxLength={200} value={name} onChange={(e) => setName(e.target.value)} autoFocus />
      <button type="submit" className="button button-primary" disabled={create.isPending}>
        Create pipeline
      </button>
      <button type="button" className="button button-quiet" onClick={() => setOpen(false)}>
        Cancel
      </button>
      <SaveError error={create.error} />
    </form>
  );
}

function PipelineEditor({ pipeline, onDeleted }: { pipeline: Pipeline; onDeleted: () => void }) {
  const id = useId();
  const admin = useIsAdmin();
  const refresh = useRefresh();
  const [name, setName] = useState(pipeline.name);
  const [confirmDelete, setConfirmDelete] = useState(false);
  useEffect(() => setName(pipeline.name), [pipeline.name]);
  const update = useMutation({
    mutationFn: async (body: components['schemas']['PipelinePatch']) => {
      try {
        return await unwrap(
          api.PATCH('/api/v1/pipelines/{pipeline_id}', {
            params: { path: { pipeline_id: pipeline.id } },
            body,
            headers: ifMatch(pipeline.version),
          }),
        );
      } catch (e) {
        throw explainStale(e);
      }
    },
    onSettled: refresh,
  });
  const remove = useMutation({
    mutationFn: async () => {
      try {
        return await unwrap(
          api.DELETE('/api/v1/pipelines/{pipeline_id}', {
            params: { path: { pipeline_id: pipeline.id } },
            headers: ifMatch(pipeline.version),
          }),
        );
      } catch (e) {
        throw explainStale(e);
      }
    },
    onSuccess: onDeleted,
    onSettled: refresh,
  });
  const stages = [...pipeline.stages].sort((a, b) => a.position - b.position);

  return (
    <section className="settings-block" aria-labelledby={`${id}-title`}>
      <h3 id={`${id}-title`}>
        {pipeline.name}
        {pipeline.is_default ? <span className="badge">default</span> : null}
      </h3>
      {admin ? (
        <div className="settings-toolbar">
          <form
            className="inline-form"
            aria-label="Rename pipeline"
            onSubmit={(e) => {
              e.preventDefault();
              if (name.trim() && name.trim() !== pipeline.name) update.mutate({ name: name.trim() });
            }}
          >
            <label htmlFor={`${id}-name`}>Pipeline name</label>
            <input id={`${id}-name`} required maxLength={200} value={name} onChange={(e) => setName(e.target.value)} />
            <button type="submit" className="button" disabled={update.isPending}>
              Rename
            </button>
          </form>
          {!pipeline.is_default ? (
            <button type="button" className="button" disabled={update.isPending} onClick={() => update.mutate({ is_default: true })}>
              Make default
            </button>
          ) : null}
          <button type="button" className="button button-quiet" onClick={() => setConfirmDelete(true)}>
            Delete pipeline
          </button>
        </div>
      ) : null}
      <SaveError error={update.error} />
      {confirmDelete ? (
        <div className="confirm" role="group" aria-label={`Delete ${pipeline.name}`}>
          <p>Delete the pipeline {pipeline.name} and its stages? A pipeline that still holds deals cannot be deleted.</p>
          <div className="form-actions">
            <button type="button" className="button button-danger" disabled={remove.isPending} onClick={() => remove.mutate()}>
              Delete {pipeline.name}
            </button>
            <button type="button" className="button button-quiet" onClick={() => setConfirmDelete(false)}>
              Cancel
            </button>
          </div>
          <SaveError error={remove.error} />
        </div>
      ) : null}

      <h4>Stages</h4>
      <ol className="stage-list" aria-label={`Stages of ${pipeline.name}`}>
        {stages.map((stage, index) => (
          <StageRow key={stage.id} stage={stage} index={index} stages={stages} />
        ))}
      </ol>
      {admin ? <NewStage pipeline={pipeline} /> : null}
    </section>
  );
}

function describeStage(stage: Stage): string {
  const parts = [`${stage.kind}`, `${stage.probability}%`];
  if (stage.rotting_days) parts.push(`idle after ${stage.rotting_days} days`);
  if (stage.required_fields.length > 0) parts.push(`requires ${stage.required_fields.map(fieldLabel).join(', ')}`);
  return parts.join(' · ');
}

function StageRow({ stage, index, stages }: { stage: Stage; index: number; stages: Stage[] }) {
  const admin = useIsAdmin();
  const refresh = useRefresh();
  const [mode, setMode] = useState<'view' | 'edit' | 'delete'>('view');
  // One move at a time across the list: each renumbers its siblings, so a second one sent
  // meanwhile would carry a stale version and be refused (412).
  const moving = useIsMutating({ mutationKey: MOVE_KEY }) > 0;
  const move = useMutation({
    mutationKey: MOVE_KEY,
    mutationFn: async (position: number) => {
      try {
        return await unwrap(
          api.PATCH('/api/v1/stages/{stage_id}', {
            params: { path: { stage_id: stage.id } },
            body: { position },
            headers: ifMatch(stage.version),
          }),
        );
      } catch (e) {
        throw explainStale(e);
      }
    },
    onSettled: refresh,
  });
  return (
    <li className="stage-row" aria-label={stage.name}>
      <div className="settings-row">
        <span>
          <strong>{stage.name}</strong> <span className="muted">{describeStage(stage)}</span>
        </span>
        {admin ? (
          <span className="form-actions">
            <button
              type="button"
              className="button button-small"
              disabled={index === 0 || moving}
              onClick={() => move.mutate(index - 1)}
              aria-label={`Move ${stage.name} up`}
            >
              ↑
            </button>
            <button
              type="button"
              className="button button-small"
              disabled={index === stages.length - 1 || moving}
              onClick={() => move.mutate(index + 1)}
              aria-label={`Move ${stage.name} down`}
            >
              ↓
            </button>
            <button type="button" className="button button-small" onClick={() => setMode('edit')} aria-label={`Edit ${stage.name}`}>
              Edit
            </button>
            <button
              type="button"
              className="button button-quiet button-small"
              onClick={() => setMode('delete')}
              aria-label={`Delete ${stage.name}`}
            >
              Delete
            </button>
          </span>
        ) : null}
      </div>
      <SaveError error={move.error} />
      {mode === 'edit' ? <EditStage stage={stage} onDone={() => setMode('view')} /> : null}
      {mode === 'delete' ? <DeleteStage stage={stage} stages={stages} onDone={() => setMode('view')} /> : null}
    </li>
  );
}

type StageDraft = { name: string; probability: string; kind: StageKind; rotting_days: string; required_fields: RequirableField[] };

function draftOf(stage?: Stage): StageDraft {
  return {
    name: stage?.name ?? '',
    probability: String(stage?.probability ?? 0),
    kind: stage?.kind ?? 'open',
    rotting_days: stage?.rotting_days ? String(stage.rotting_days) : '',
    required_fields: stage?.required_fields ?? [],
  };
}

/** The form's text as the API's stage body (blank rotting days: never idle). */
export function stageBody(draft: StageDraft): StageIn {
  return {
    name: draft.name.trim(),
    probability: Number(draft.probability || 0),
    kind: draft.kind,
    rotting_days: draft.rotting_days.trim() === '' ? null : Number(draft.rotting_days),
    required_fields: draft.required_fields,
  };
}

function StageForm({
  label,
  submitLabel,
  initial,
  pending,
  error,
  onSubmit,
  onCancel,
}: {
  label: string;
  submitLabel: string;
  initial: StageDraft;
  pending: boolean;
  error: unknown;
  onSubmit: (draft: StageDraft) => void;
  onCancel?: () => void;
}) {
  const id = useId();
  const [draft, setDraft] = useState(initial);
  function submit(event: FormEvent) {
    event.preventDefault();
    onSubmit(draft);
  }
  return (
    <form className="settings-form stage-form" aria-label={label} onSubmit={submit}>
      <div className="form-row">
        <div className="field field-grow">
          <label htmlFor={`${id}-name`}>Stage name</label>
          <input
            id={`${id}-name`}
            required
            maxLength={200}
            value={draft.name}
            onChange={(e) => setDraft({ ...draft, name: e.target.value })}
          />
        </div>
        <div className="field">
          <label htmlFor={`${id}-probability`}>Probability (%)</label>
          <input
            id={`${id}-probability`}
            type="number"
            min={0}
            max={100}
            required
            value={draft.probability}
            onChange={(e) => setDraft({ ...draft, probability: e.target.value })}
          />
        </div>
        <div className="field">
          <label htmlFor={`${id}-kind`}>Kind</label>
          <select id={`${id}-kind`} value={draft.kind} onChange={(e) => setDraft({ ...draft, kind: e.target.value as StageKind })}>
            {KINDS.map((k) => (
              <option key={k.value} value={k.value}>
                {k.label}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor={`${id}-rotting`}>Idle after (days)</label>
          <input
            id={`${id}-rotting`}
            type="number"
            min={1}
            max={3650}
            value={draft.rotting_days}
            onChange={(e) => setDraft({ ...draft, rotting_days: e.target.value })}
          />
        </div>
      </div>
      <fieldset className="checkbox-group">
        <legend>Required to enter this stage</legend>
        {REQUIRABLE_STAGE_FIELDS.map((f) => (
          <label key={f}>
            <input
              type="checkbox"
              checked={draft.required_fields.includes(f)}
              onChange={(e) =>
                setDraft({
                  ...draft,
                  required_fields: e.target.checked ? [...draft.required_fields, f] : draft.required_fields.filter((x) => x !== f),
                })
              }
            />{' '}
            {fieldLabel(f)}
          </label>
        ))}
      </fieldset>
      <div className="form-actions">
        <button type="submit" className="button button-primary" disabled={pending}>
          {submitLabel}
        </button>
        {onCancel ? (
          <button type="button" className="button button-quiet" onClick={onCancel}>
            Cancel
          </button>
        ) : null}
      </div>
      <SaveError error={error} />
    </form>
  );
}

function EditStage({ stage, onDone }: { stage: Stage; onDone: () => void }) {
  const refresh = useRefresh();
  const update = useMutation({
    mutationFn: async (draft: StageDraft) => {
      const { name, probability, kind, rotting_days, required_fields } = stageBody(draft);
      // Kind only when it changes: a stage holding deals keeps its kind (409), and a rename must not trip on that.
      const body = { name, probability, rotting_days, required_fields, ...(kind !== stage.kind ? { kind } : {}) };
      try {
        return await unwrap(
          api.PATCH('/api/v1/stages/{stage_id}', { params: { path: { stage_id: stage.id } }, body, headers: ifMatch(stage.version) }),
        );
      } catch (e) {
        throw explainStale(e);
      }
    },
    onSuccess: onDone,
    onSettled: refresh,
  });
  return (
    <StageForm
      label={`Edit stage ${stage.name}`}
      submitLabel="Save stage"
      initial={draftOf(stage)}
      pending={update.isPending}
      error={update.error}
      onSubmit={(d) => update.mutate(d)}
      onCancel={onDone}
    />
  );
}

function NewStage({ pipeline }: { pipeline: Pipeline }) {
  const refresh = useRefresh();
  const [open, setOpen] = useState(false);
  const create = useMutation({
    mutationFn: (draft: StageDraft) => {
      // New open stages go before the won and lost ones, where people expect them.
      const firstClosed = [...pipeline.stages].sort((a, b) => a.position - b.position).findIndex((s) => s.kind !== 'open');
      const body = stageBody(draft);
      const position = body.kind === 'open' && firstClosed >= 0 ? firstClosed : null;
      return unwrap(
        api.POST('/api/v1/pipelines/{pipeline_id}/stages', {
          params: { path: { pipeline_id: pipeline.id } },
          body: { ...body, ...(position !== null ? { position } : {}) },
        }),
      );
    },
    onSuccess: () => setOpen(false),
    onSettled: refresh,
  });
  if (!open) {
    return (
      <button type="button" className="button" onClick={() => setOpen(true)}>
        Add stage
      </button>
    );
  }
  return (
    <StageForm
      label="New stage"
      submitLabel="Add stage"
      initial={draftOf()}
      pending={create.isPending}
      error={create.error}
      onSubmit={(d) => create.mutate(d)}
      onCancel={() => setOpen(false)}
    />
  );
}

function DeleteStage({ stage, stages, onDone }: { stage: Stage; stages: Stage[]; onDone: () => void }) {
  const id = useId();
  const refresh = useRefresh();
  const others = stages.filter((s) => s.id !== stage.id);
  const [target, setTarget] = useState('');
  const remove = useMutation({
    mutationFn: async () => {
      try {
        return await unwrap(
          api.DELETE('/api/v1/stages/{stage_id}', {
            params: { path: { stage_id: stage.id }, query: target ? { move_deals_to: target } : {} },
            headers: ifMatch(stage.version),
          }),
        );
      } catch (e) {
        if (isApiError(e) && e.status === 409) {
          throw new ApiError(409, {
            ...e.problem,
            detail: `${stage.name} still holds deals: choose a stage to move them to, then delete it. (${e.problem.detail ?? ''})`,
          });
        }
        throw explainStale(e);
      }
    },
    onSuccess: onDone,
    onSettled: refresh,
  });
  return (
    <form
      className="settings-form confirm"
      aria-label={`Delete stage ${stage.name}`}
      onSubmit={(e) => {
        e.preventDefault();
        remove.mutate();
      }}
    >
      <p>Delete the stage {stage.name}? Its deals, if it has any, must move to another stage of this pipeline.</p>
      <div className="field">
        <label htmlFor={`${id}-target`}>Move its deals to</label>
        <select id={`${id}-target`} value={target} onChange={(e) => setTarget(e.target.value)}>
          <option value="">Nowhere (the stage is empty)</option>
          {others.map((s) => (
            <option key={s.id} value={s.id}>
              {s.name}
            </option>
          ))}
        </select>
      </div>
      <div className="form-actions">
        <button type="submit" className="button button-danger" disabled={remove.isPending}>
          Delete stage
        </button>
        <button type="button" className="button button-quiet" onClick={onDone}>
          Cancel
        </button>
      </div>
      <SaveError error={remove.error} />
    </form>
  );
}
