/** A member's name from their id (owners, assignees), with honest loading and unknown states. */
import { useMembers } from './workspaceData';

export function MemberName({ id }: { id: string | null | undefined }) {
  const members = useMembers();
  if (!id) return <>—</>;
  if (members.isPending) return <span className="muted">…</span>;
  const member = members.data?.items.find((m) => m.id === id);
  return member ? <>{member.name || member.email}</> : <span className="muted">Former member</span>;
}
