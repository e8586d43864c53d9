/** Members and invitations: roles, removal (their records go to someone), invitations by email. */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useId, useState } from 'react';
import { api, unwrap } from '../api/client';
import { keys } from '../api/keys';
import type { Member, ResponseOf, Role } from '../api/types';
import { useMe } from '../auth/session';
import { formatDate } from '../lib/dates';
import { useMembers } from '../shell/workspaceData';
import { Empty } from '../ui/States';
import { CodeBlock } from './CopyButton';
import { QueryGate, SaveError, useIsAdmin } from './access';
import { settingsKeys } from './settingsKeys';

type Invitation = ResponseOf<'/api/v1/invitations', 'post'>;

const ROLES: { value: Role; label: string }[] = [
  { value: 'member', label: 'Member' },
  { value: 'admin', label: 'Admin' },
];

export function MembersSettings() {
  const members = useMembers();
  const admin = useIsAdmin();
  return (
    <>
      <QueryGate query={members} what="members">
        {() => <MemberTable members={members.data!.items} />}
      </QueryGate>
      {admin ? (
        <>
          <InviteForm />
          <PendingInvitations />
        </>
      ) : null}
    </>
  );
}

function MemberTable({ members }: { members: Member[] }) {
  const admin = useIsAdmin();
  const me = useMe();
  const queryClient = useQueryClient();
  const [removing, setRemoving] = useState<Member | null>(null);
  const changeRole = useMutation({
    mutationFn: ({ member, role }: { member: Member; role: Role }) =>
      unwrap(api.PATCH('/api/v1/members/{member_id}', { params: { path: { member_id: member.id } }, body: { role } })),
    onSettled: () => {
      void queryClient.invalidateQueries({ queryKey: keys.members });
      void queryClient.invalidateQueries({ queryKey: keys.me });
    },
  });
  return (
    <>
      <div className="table-wrap">
        <table className="records" aria-label="Members">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Email</th>
              <th scope="col">Role</th>
              <th scope="col">Joined</th>
              {admin ? (
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              ) : null}
            </tr>
          </thead>
          <tbody>
            {members.map((m) => (
              <tr key={m.id}>
                <th scope="row">
                  {m.name || m.email}
                  {m.id === me.data?.user.id ? <span className="muted"> (you)</span> : null}
                </th>
                <td>{m.email}</td>
                <td>
                  {admin ? (
                    <select
                      aria-label={`Role of ${m.name || m.email}`}
                      value={m.role}
                      disabled={changeRole.isPending}
                      onChange={(e) => changeRole.mutate({ member: m, role: e.target.value as Role })}
                    >
                      {ROLES.map((r) => (
                        <option key={r.value} value={r.value}>
                          {r.label}
                        </option>
                      ))}
                    </select>
                  ) : (
                    m.role
                  )}
                </td>
                <td>{formatDate(m.joined_at)}</td>
                {admin ? (
                  <td>
                    <button type="button" className="button button-quiet button-small" onClick={() => setRemoving(m)}>
                      Remove<span className="visually-hidden"> {m.name || m.email}</span>
                    </button>
                  </td>
                ) : null}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <SaveError error={changeRole.error} />
      {removing ? <RemoveMember member={removing} members={members} onDone={() => setRemoving(null)} /> : null}
    </>
  );
}

function RemoveMember({ member, members, onDone }: { member: Member; members: Member[]; onDone: () => void }) {
  const id = useId();
  const me = useMe();
  const queryClient = useQueryClient();
  const others = members.filter((m) => m.id !== member.id);
  const [reassignTo, setReassignTo] = useState(others.find((m) => m.id === me.data?.user.id)?.id ?? others[0]?.id ?? '');
  const remove = useMutation({
    mutationFn: () =>
      unwrap(
        api.DELETE('/api/v1/members/{member_id}', {
          params: { path: { member_id: member.id }, query: reassignTo ? { reassign_to: reassignTo } : {} },
        }),
      ),
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: keys.members });
      void queryClient.invalidateQueries({ queryKey: keys.boards });
      onDone();
    },
  });
  const name = member.name || member.email;
  return (
    <form
      className="settings-form confirm"
      aria-label={`Remove ${name}`}
      onSubmit={(e) => {
        e.preventDefault();
        remove.mutate();
      }}
    >
      <h3>Remove {name}?</h3>
      <p>They lose access at once. Their contacts, accounts, open deals and open tasks move to the member you choose.</p>
      <div className="field">
        <label htmlFor={`${id}-to`}>Give their records to</label>
        <select id={`${id}-to`} value={reassignTo} onChange={(e) => setReassignTo(e.target.value)}>
          {others.map((m) => (
            <option key={m.id} value={m.id}>
              {m.name || m.email}
            </option>
          ))}
        </select>
      </div>
      <div className="form-actions">
        <button type="submit" className="button button-danger" disabled={remove.isPending}>
          Remove member
        </button>
        <button type="button" className="button button-quiet" onClick={onDone}>
          Cancel
        </button>
      </div>
      <SaveError error={remove.error} />
    </form>
  );
}

function InviteForm() {
  const id = useId();
  const queryClient = useQueryClient();
  const [email, setEmail] = useState('');
  const [role, setRole] = useState<Role>('member');
  const [sent, setSent] = useState<Invitation | null>(null);
  const invite = useMutation({
    mutationFn: () => unwrap(api.POST('/api/v1/invitations', { body: { email: email.trim(), role } })),
    onSuccess: (invitation) => {
      setSent(invitation);
      setEmail('');
      void queryClient.invalidateQueries({ queryKey: settingsKeys.invitations });
    },
  });
  function submit(event: FormEvent) {
    event.preventDefault();
    setSent(null);
    invite.mutate();
  }
  return (
    <section className="settings-block" aria-labelledby={`${id}-title`}>
      <h3 id={`${id}-title`}>Invite someone</h3>
      <form className="inline-form" aria-label="Invite a member" onSubmit={submit}>
        <label htmlFor={`${id}-email`}>Email</label>
        <input id={`${id}-email`} type="email" required value={email} onChange={(e) => setEmail(e.target.value)} />
        <label htmlFor={`${id}-role`}>Role</label>
        <select id={`${id}-role`} value={role} onChange={(e) => setRole(e.target.value as Role)}>
          {ROLES.map((r) => (
            <option key={r.value} value={r.value}>
              {r.label}
            </option>
          ))}
        </select>
        <button type="submit" className="button button-primary" disabled={invite.isPending}>
          Send invitation
        </button>
      </form>
      <SaveError error={invite.error} />
      {sent ? (
        <div className="alert alert-ok" role="status">
          <p>
            Invitation sent to {sent.email} as {sent.role}; it works until {formatDate(sent.expires_at)}. You can also share the link:
          </p>
          <CodeBlock code={sent.accept_url} label="Invitation link" />
        </div>
      ) : null}
    </section>
  );
}

function PendingInvitations() {
  const id = useId();
  const queryClient = useQueryClient();
  const invitations = useQuery({ queryKey: settingsKeys.invitations, queryFn: () => unwrap(api.GET('/api/v1/invitations')) });
  const revoke = useMutation({
    mutationFn: (invitationId: string) =>
      unwrap(api.DELETE('/api/v1/invitations/{invitation_id}', { params: { path: { invitation_id: invitationId } } })),
    onSettled: () => void queryClient.invalidateQueries({ queryKey: settingsKeys.invitations }),
  });
  return (
    <section className="settings-block" aria-labelledby={`${id}-title`}>
      <h3 id={`${id}-title`}>Pending invitations</h3>
      <QueryGate query={invitations} what="invitations">
        {() =>
          invitations.data!.items.length === 0 ? (
            <Empty title="No invitations are waiting for an answer." />
          ) : (
            <ul className="plain-list" aria-label="Pending invitations">
              {invitations.data!.items.map((i) => (
                <li key={i.id} className="settings-row">
                  <span>
                    <strong>{i.email}</strong> as {i.role}, until {formatDate(i.expires_at)}
                  </span>
                  <button
                    type="button"
                    className="button button-quiet button-small"
                    disabled={revoke.isPending}
                    onClick={() => revoke.mutate(i.id)}
                    aria-label={`Revoke invitation for ${i.email}`}
                  >
                    Revoke
                  </button>
                </li>
              ))}
            </ul>
          )
        }
      </QueryGate>
      <SaveError error={revoke.error} />
    </section>
  );
}
