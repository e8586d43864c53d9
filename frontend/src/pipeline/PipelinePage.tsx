/** /pipeline and /pipeline/:pipelineId: choose a pipeline, filter, and work the board. */
import { type FormEvent, useId, useState } from 'react';
import { Navigate, useNavigate, useParams } from 'react-router';
import type { Pipeline } from '../api/types';
import { useMe } from '../auth/session';
import { useMemberNames, useMembers, useWorkspace } from '../shell/workspaceData';
import { Empty, ErrorState, Loading, ProblemAlert } from '../ui/States';
import { Board } from './Board';
import { type BoardFilters, defaultPipeline, useBoard, useCreateStarterPipeline, useLoadMoreCards, usePipelines } from './boardData';
import { type MoveFailure, useMoveDeal } from './useMoveDeal';
import { type LostReasonChoice, LostReasonPicker } from '../deals/LostReasonPicker';

export function PipelinePage() {
  const { pipelineId } = useParams();
  const pipelines = usePipelines();

  if (pipelines.isPending) return <Loading label="Loading pipelines…" />;
  if (pipelines.isError) return <ErrorState error={pipelines.error} onRetry={() => void pipelines.refetch()} />;

  const items = pipelines.data.items;
  if (items.length === 0) return <NoPipeline />;
  if (!pipelineId) {
    const chosen = defaultPipeline(items)!;
    return <PipelineBoard pipelines={items} pipeline={chosen} />;
  }
  const pipeline = items.find((p) => p.id === pipelineId);
  if (!pipeline) return <Navigate to="/pipeline" replace />;
  return <PipelineBoard pipelines={items} pipeline={pipeline} />;
}

function NoPipeline() {
  const me = useMe();
  const create = useCreateStarterPipeline();
  return (
    <section className="page">
      <h1>Pipeline</h1>
      <Empty title="This workspace has no pipeline yet.">
        {me.data?.role === 'admin' ? (
          <>
            <p>
              Start with a standard sales pipeline (Prospect, Qualified, Proposal Sent, Negotiation, Closed Won, Closed Lost); you can
              change it later.
            </p>
            <button type="button" className="button button-primary" disabled={create.isPending} onClick={() => create.mutate()}>
              Create a sales pipeline
            </button>
            <ProblemAlert error={create.error} />
          </>
        ) : (
          <p>Ask an admin of this workspace to set one up.</p>
        )}
      </Empty>
    </section>
  );
}

function PipelineBoard({ pipelines, pipeline }: { pipelines: Pipeline[]; pipeline: Pipeline }) {
  const id = useId();
  const navigate = useNavigate();
  const [filters, setFilters] = useState<BoardFilters>({});
  const [search, setSearch] = useState('');
  const [failure, setFailure] = useState<MoveFailure | null>(null);
  const workspace = useWorkspace();
  const members = useMembers();
  const ownerNames = useMemberNames();
  const board = useBoard(pipeline.id, filters);
  // Board totals are in the workspace currency, which the board names.
  const currency = board.data?.currency ?? workspace.data?.currency ?? 'USD';
  const loadMore = useLoadMoreCards(pipeline.id, filters);
  const move = useMoveDeal(pipeline.id, filters, currency, setFailure);

  function submitSearch(event: FormEvent) {
    event.preventDefault();
    setFilters((f) => ({ ...f, q: search.trim() || undefined }));
  }

  return (
    <section className="page page-board" aria-labelledby={`${id}-title`}>
      <div className="page-header">
        <title>{`${pipeline.name} · Rapport`}</title>
        <h1 id={`${id}-title`}>{pipeline.name}</h1>
        <div className="board-filters">
          {pipelines.length > 1 ? (
            <div className="field field-inline">
              <label htmlFor={`${id}-pipeline`}>Pipeline</label>
              <select id={`${id}-pipeline`} value={pipeline.id} onChange={(e) => navigate(`/pipeline/${e.target.value}`)}>
                {pipelines.map((p) => (
                  <option key={p.id} value={p.id}>
                    {p.name}
                  </option>
                ))}
              </select>
            </div>
          ) : null}
          <div className="field field-inline">
            <label htmlFor={`${id}-owner`}>Owner</label>
            <select
              id={`${id}-owner`}
              value={filters.ownerId ?? ''}
              onChange={(e) => setFilters((f) => ({ ...f, ownerId: e.target.value || undefined }))}
            >
              <option value="">Everyone</option>
              {(members.data?.items ?? []).map((m) => (
                <option key={m.id} value={m.id}>
                  {m.name || m.email}
                </option>
              ))}
            </select>
          </div>
          <form role="search" className="field field-inline" onSubmit={submitSearch}>
            <label htmlFor={`${id}-q`}>Search deals</label>
            <input id={`${id}-q`} type="search" value={search} onChange={(e) => setSearch(e.target.value)} />
            <button type="submit" className="button">
              Search
            </button>
          </form>
        </div>
      </div>

      <div className="board-messages">
        {failure ? (
          <MoveFailureAlert
            failure={failure}
            onDismiss={() => setFailure(null)}
            onRetry={(lostReason, lostReasonDetail) =>
              failure.retry && move.mutate({ move: failure.retry.move, lostReason, lostReasonDetail })
            }
          />
        ) : null}
        {loadMore.isError ? <ProblemAlert error={loadMore.error} /> : null}
      </div>

      {board.isPending ? (
        <Loading label="Loading the board…" />
      ) : board.isError ? (
        <ErrorState error={board.error} onRetry={() => void board.refetch()} />
      ) : (
        <>
          {board.data.columns.every((c) => c.count === 0 && c.deals.length === 0) ? (
            <p className="board-hint">
              {filters.ownerId || filters.q
                ? 'No deals match these filters.'
                : 'No deals yet: add the first one with “+ Add deal” in a stage.'}
            </p>
          ) : null}
          <Board
            board={board.data}
            currency={currency}
            ownerNames={ownerNames}
            loadingStageId={loadMore.isPending ? (loadMore.variables?.stageId ?? null) : null}
            onLoadMore={(stageId, cursor) => loadMore.mutate({ stageId, cursor })}
            onMove={(m) => move.mutate({ move: m })}
          />
        </>
      )}
    </section>
  );
}

function MoveFailureAlert({
  failure,
  onDismiss,
  onRetry,
}: {
  failure: MoveFailure;
  onDismiss: () => void;
  onRetry: (lostReason: string, lostReasonDetail?: string) => void;
}) {
  const [choice, setChoice] = useState<LostReasonChoice>({ reason: '', detail: '' });
  return (
    <div className="alert alert-error" role="alert">
      <p>{failure.message}</p>
      {failure.retry?.needs === 'lost_reason' ? (
        <form
          className="inline-form"
          onSubmit={(e) => {
            e.preventDefault();
            if (choice.reason) onRetry(choice.reason, choice.detail.trim() || undefined);
          }}
        >
          <LostReasonPicker value={choice} onChange={setChoice} />
          <button type="submit" className="button">
            Mark as lost
          </button>
        </form>
      ) : null}
      <button type="button" className="button button-quiet" onClick={onDismiss}>
        Dismiss
      </button>
    </div>
  );
}
