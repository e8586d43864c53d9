/** /projects/:projectId: the delivery project a won deal became, its milestones (what sales
 * promised, with the evidence) and its timeline, which continues the deal's. */
import { type FormEvent, useId, useState } from 'react';
import { Link, useParams } from 'react-router';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, ifMatch, unwrap } from '../api/client';
import { isApiError } from '../api/problem';
import type { ResponseOf } from '../api/types';
import { formatDate } from '../lib/dates';
import { MemberName } from '../shell/MemberName';
import { Empty, ErrorState, errorText, Loading } from '../ui/States';

type Project = ResponseOf<'/api/v1/projects/{project_id}'>;
type Milestone = Project['milestones'][number];
type Status = Project['status'];
const STATUSES: Status[] = ['planned', 'active', 'on_hold', 'done'];
const projectKey = (id: string) => ['project', id] as const;
const timelineKey = (id: string) => ['timeline', 'projects', id] as const;

export function ProjectPage() {
  const { projectId = '' } = useParams();
  const project = useQuery({
    queryKey: projectKey(projectId),
    queryFn: () => unwrap(api.GET('/api/v1/projects/{project_id}', { params: { path: { project_id: projectId } } })),
  });
  if (project.isPending) return <Loading label="Loading the project…" />;
  if (project.isError) {
    const gone = isApiError(project.error) && project.error.status === 404;
    return (
      <section className="page">
        <h1>{gone ? 'Project not found' : 'Project'}</h1>
        <ErrorState error={project.error} onRetry={gone ? undefined : () => void project.refetch()} />
      </section>
    );
  }
  return <ProjectView project={project.data} />;
}

/** Every change answers the whole project (milestones included) under its new version. */
function useProjectChange(project: Project) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (run: (version: number) => Promise<Project>) => run(project.version),
    onSuccess: (updated) => {
      queryClient.setQueryData(projectKey(updated.id), updated);
      void queryClient.invalidateQueries({ queryKey: timelineKey(updated.id) });
    },
    onError: () => void queryClient.invalidateQueries({ queryKey: projectKey(project.id) }),
  });
}

function ProjectView({ project }: { project: Project }) {
  const id = useId();
  const change = useProjectChange(project);
  const path = { params: { path: { project_id: project.id } } };
  return (
    <section className="page record-page" aria-labelledby="project-title">
      <p className="breadcrumb">{project.deal_id ? <Link to={`/deals/${project.deal_id}`}>Deal</Link> : 'Projects'} / Project</p>
      <div className="page-header">
        <title>{`${project.name} · Rapport`}</title>
        <h1 id="project-title">{project.name}</h1>
        <span className={`status-badge status-${project.status}`}>{project.status.replace('_', ' ')}</span>
      </div>
      <div className="record-layout">
        <section className="record-fields" aria-label="Project details">
          <dl>
            <div className="editable">
              <dt>
                <label htmlFor={`${id}-status`}>Status</label>
              </dt>
              <dd>
                <select
                  id={`${id}-status`}
                  value={project.status}
                  disabled={change.isPending}
                  onChange={(e) =>
                    change.mutate((version) =>
                      unwrap(
                        api.PATCH('/api/v1/projects/{project_id}', {
                          ...path,
                          body: { status: e.target.value as Status },
                          headers: ifMatch(version),
                        }),
                      ),
                    )
                  }
                >
                  {STATUSES.map((s) => (
                    <option key={s} value={s}>
                      {s.replace('_', ' ')}
                    </option>
                  ))}
                </select>
              </dd>
            </div>
            <div className="editable">
              <dt>Owner</dt>
              <dd>
                <MemberName id={project.owner_id} />
              </dd>
            </div>
            <div className="editable">
              <dt>Account</dt>
              <dd>{project.account_id ? <Link to={`/accounts/${project.account_id}`}>Open account</Link> : '—'}</dd>
            </div>
            <div className="editable">
              <dt>Contract</dt>
              <dd>
                {formatDate(project.contract_start_date)} – {formatDate(project.contract_end_date)}
              </dd>
            </div>
          </dl>
          {project.summary ? (
            <section aria-label="Handover notes">
              <h2>Handover notes</h2>
              <p style={{ whiteSpace: 'pre-wrap' }}>{project.summary}</p>
            </section>
          ) : null}
          {change.error ? (
            <p className="field-error" role="alert">
              {errorText(change.error)}
            </p>
          ) : null}
        </section>
        <div className="record-activity">
          <Milestones project={project} onChange={change.mutate} pending={change.isPending} />
          <ProjectTimeline projectId={project.id} />
        </div>
      </div>
    </section>
  );
}

type Run = (run: (version: number) => Promise<Project>) => void;

function Milestones({ project, onChange, pending }: { project: Project; onChange: Run; pending: boolean }) {
  const id = useId();
  const [title, setTitle] = useState('');
  const [due, setDue] = useState('');
  const path = { params: { path: { project_id: project.id } } };
  function add(event: FormEvent) {
    event.preventDefault();
    if (!title.trim()) return;
    onChange((version) =>
      unwrap(
        api.POST('/api/v1/projects/{project_id}/milestones', {
          ...path,
          body: { title: title.trim(), due_date: due || null },
          headers: ifMatch(version),
        }),
      ),
    );
    setTitle('');
    setDue('');
  }
  return (
    <section aria-labelledby={`${id}-milestones`}>
      <h2 id={`${id}-milestones`}>Milestones</h2>
      {project.milestones.length === 0 ? <Empty title="No milestones yet." /> : null}
      <ul className="plain-list" aria-label="Milestones">
        {project.milestones.map((m) => (
          <MilestoneRow key={m.id} milestone={m} projectId={project.id} onChange={onChange} pending={pending} />
        ))}
      </ul>
      <form className="inline-form" onSubmit={add} aria-label="New milestone">
        <label htmlFor={`${id}-title`}>Milestone</label>
        <input id={`${id}-title`} value={title} required maxLength={500} onChange={(e) => setTitle(e.target.value)} />
        <label htmlFor={`${id}-due`}>Due</label>
        <input id={`${id}-due`} type="date" value={due} onChange={(e) => setDue(e.target.value)} />
        <button type="submit" className="button button-small" disabled={pending}>
          Add milestone
        </button>
      </form>
    </section>
  );
}

function MilestoneRow({
  milestone,
  projectId,
  onChange,
  pending,
}: {
  milestone: Milestone;
  projectId: string;
  onChange: Run;
  pending: boolean;
}) {
  const path = { params: { path: { project_id: projectId, milestone_id: milestone.id } } };
  return (
    <li aria-label={milestone.title}>
      <span>{milestone.title}</span>{' '}
      <span className="muted">{milestone.due_date ? `due ${formatDate(milestone.due_date)}` : 'no date'}</span>
      {milestone.commitment_id ? (
        <span className="muted"> · promised during the sale{milestone.evidence_activity_id ? ' (see the timeline)' : ''}</span>
      ) : null}{' '}
      {milestone.status === 'done' ? (
        <span className="status-badge status-won">done</span>
      ) : (
        <button
          type="button"
          className="button button-small"
          disabled={pending}
          aria-label={`Complete ${milestone.title}`}
          onClick={() =>
            onChange((version) =>
              unwrap(api.POST('/api/v1/projects/{project_id}/milestones/{milestone_id}/complete', { ...path, headers: ifMatch(version) })),
            )
          }
        >
          Complete
        </button>
      )}
    </li>
  );
}

function ProjectTimeline({ projectId }: { projectId: string }) {
  const timeline = useQuery({
    queryKey: timelineKey(projectId),
    queryFn: () =>
      unwrap(api.GET('/api/v1/projects/{project_id}/timeline', { params: { path: { project_id: projectId }, query: { limit: 50 } } })),
  });
  if (timeline.isPending) return <Loading label="Loading the timeline…" />;
  if (timeline.isError) return <ErrorState error={timeline.error} onRetry={() => void timeline.refetch()} />;
  return (
    <section aria-label="Timeline">
      <h2>Timeline</h2>
      <ol className="plain-list">
        {timeline.data.items.map((entry) => (
          <li key={entry.id}>
            <span className="muted">{formatDate(entry.at.slice(0, 10))}</span>{' '}
            {entry.kind === 'activity' ? String(entry.data.subject ?? entry.type) : entry.type.replace(/_/g, ' ')}
          </li>
        ))}
      </ol>
    </section>
  );
}
