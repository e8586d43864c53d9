/**
 * On a contact's page: the records that look like the same person (GET /duplicates), why, and
 * what to do about each: merge it into this contact (choosing which values survive) or say they
 * are not the same.
 */
import { useId, useState } from 'react';
import { Link } from 'react-router';
import type { Contact } from '../api/types';
import { contactName, useContact } from '../contacts/contactData';
import { ProblemAlert } from '../ui/States';
import { useDismissDuplicates, useDuplicateGroups } from './duplicateData';
import { MergeDialog } from './MergeDialog';
import { groupsWith, reasonText } from './mergeChoices';
import './duplicates.css';

export function ContactDuplicates({ contact }: { contact: Contact }) {
  const id = useId();
  const groups = useDuplicateGroups('contacts', contact.id);
  const dismiss = useDismissDuplicates('contacts');
  const [merging, setMerging] = useState<Contact | null>(null);
  const mine = groupsWith(groups.data ?? [], contact.id);
  const candidates = mine.flatMap((g) => g.others.map((other) => ({ other, reasons: g.reasons, score: g.score })));
  if (candidates.length === 0) return null;
  return (
    <section className="duplicates" aria-labelledby={`${id}-h`}>
      <h2 id={`${id}-h`}>Possible duplicates</h2>
      <p>This contact looks like {candidates.length === 1 ? 'another record' : `${candidates.length} other records`}:</p>
      <ul className="duplicate-list">
        {candidates.map((c) => (
          <Candidate
            key={c.other}
            id={c.other}
            reasons={reasonText(c.reasons)}
            score={c.score}
            busy={dismiss.isPending}
            onMerge={setMerging}
            onDismiss={() => dismiss.mutate([contact.id, c.other])}
          />
        ))}
      </ul>
      <ProblemAlert error={dismiss.error} />
      {merging ? <MergeDialog survivor={contact} source={merging} onClose={() => setMerging(null)} /> : null}
    </section>
  );
}

function Candidate({
  id,
  reasons,
  score,
  busy,
  onMerge,
  onDismiss,
}: {
  id: string;
  reasons: string;
  score: number;
  busy: boolean;
  onMerge: (c: Contact) => void;
  onDismiss: () => void;
}) {
  const other = useContact(id);
  if (other.isPending) return <li className="muted">Loading…</li>;
  // Merged or deleted since the scan: nothing to offer.
  if (other.isError) return null;
  const name = contactName(other.data);
  return (
    <li className="duplicate">
      <div>
        <Link to={`/contacts/${id}`}>{name}</Link>
        {other.data.email ? <span className="muted"> · {other.data.email}</span> : null}
        <div className="muted duplicate-why">
          {reasons} ({score}% sure)
        </div>
      </div>
      <div className="form-actions">
        <button
          type="button"
          className="button button-small"
          onClick={() => onMerge(other.data)}
          aria-label={`Merge ${name} into this contact`}
        >
          Merge…
        </button>
        <button
          type="button"
          className="button button-small button-quiet"
          disabled={busy}
          onClick={onDismiss}
          aria-label={`${name} is not the same`}
        >
          Not the same
        </button>
      </div>
    </li>
  );
}
