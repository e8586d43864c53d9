/** /settings: the workspace and its members, read-only for now. */
import { useMe } from '../auth/session';
import { CustomFieldsSettings } from '../settings/CustomFields';
import { LostReasonsSettings } from '../settings/LostReasons';
import { useMembers, useWorkspace } from '../shell/workspaceData';
import { ErrorState, Loading } from '../ui/States';

export function SettingsPage() {
  const me = useMe();
  const workspace = useWorkspace();
  const members = useMembers();
  return (
    <section className="page" aria-labelledby="settings-title">
      <title>Settings · Rapport</title>
      <h1 id="settings-title">Settings</h1>
      <p className="muted">
        Editing the workspace, pipelines, members, forms and webhooks here is coming{me.data?.role === 'admin' ? '' : ' (for admins)'}.
      </p>
      <section className="settings-block" aria-labelledby="settings-workspace">
        <h2 id="settings-workspace">Workspace</h2>
        {workspace.isPending ? (
          <Loading />
        ) : workspace.isError ? (
          <ErrorState error={workspace.error} onRetry={() => void workspace.refetch()} />
        ) : (
          <dl className="facts">
            <div>
              <dt>Name</dt>
              <dd>{workspace.data.name}</dd>
            </div>
            <div>
              <dt>Currency</dt>
              <dd>{workspace.data.currency}</dd>
            </div>
            <div>
              <dt>Time zone</dt>
              <dd>{workspace.data.timezone}</dd>
            </div>
            <div>
              <dt>Default phone region</dt>
              <dd>{workspace.data.default_region}</dd>
            </div>
          </dl>
        )}
      </section>
      <section className="settings-block" aria-labelledby="settings-members">
        <h2 id="settings-members">Members</h2>
        {members.isPending ? (
          <Loading />
        ) : members.isError ? (
          <ErrorState error={members.error} onRetry={() => void members.refetch()} />
        ) : (
          <div className="table-wrap">
            <table className="records">
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Email</th>
                  <th scope="col">Role</th>
                </tr>
              </thead>
              <tbody>
                {members.data.items.map((m) => (
                  <tr key={m.id}>
                    <th scope="row">{m.name}</th>
                    <td>{m.email}</td>
                    <td>{m.role}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
      <CustomFieldsSettings />
      <LostReasonsSettings />
    </section>
  );
}
