/**
 * A contact's emails or phones: each with its label and which is primary; add one, remove one,
 * make one primary, relabel one. Every change sends the whole list with the contact's version.
 */
import { type FormEvent, useId, useState } from 'react';
import { Link } from 'react-router';
import { isApiError } from '../api/problem';
import type { Contact } from '../api/types';
import { ProblemAlert } from '../ui/States';
import {
  type Address,
  type AddressKind,
  addressesOf,
  addressPatch,
  withAdded,
  withLabel,
  withPrimary,
  withRemoved,
} from './contactAddresses';
import { useUpdateContact } from './contactData';

const WORDS: Record<AddressKind, { title: string; one: string; type: 'email' | 'tel' }> = {
  emails: { title: 'Emails', one: 'email', type: 'email' },
  phones: { title: 'Phones', one: 'phone', type: 'tel' },
};

export function ContactAddresses({ contact, kind }: { contact: Contact; kind: AddressKind }) {
  const id = useId();
  const words = WORDS[kind];
  const update = useUpdateContact(contact);
  const list = addressesOf(kind, contact);
  const [value, setValue] = useState('');
  const [label, setLabel] = useState('');
  const [editing, setEditing] = useState<number | null>(null);
  const [draftLabel, setDraftLabel] = useState('');
  const duplicateOf =
    isApiError(update.error) && update.error.status === 409 ? (update.error.problem.duplicate_of as string | undefined) : undefined;

  const send = (next: Address[], onSuccess?: () => void) => update.mutate(addressPatch(kind, next), { onSuccess });

  function add(event: FormEvent) {
    event.preventDefault();
    if (!value.trim()) return;
    send(withAdded(list, value, label), () => {
      setValue('');
      setLabel('');
    });
  }

  function saveLabel(event: FormEvent, index: number) {
    event.preventDefault();
    send(withLabel(list, index, draftLabel), () => setEditing(null));
  }

  return (
    <section className="contact-addresses" aria-label={words.title}>
      <h2>{words.title}</h2>
      {list.length === 0 ? <p className="muted">No {words.one} yet.</p> : null}
      <ul className="address-list">
        {list.map((a, index) => (
          <li key={a.value} aria-label={a.value}>
            <span className="address-value">{a.value}</span>
            {a.label ? <span className="badge">{a.label}</span> : null}
            {a.primary ? <strong className="badge badge-primary">Primary</strong> : null}
            {editing === index ? (
              <form className="inline-form" onSubmit={(e) => saveLabel(e, index)} aria-label={`Label of ${a.value}`}>
                <label htmlFor={`${id}-label-${index}`}>Label</label>
                <input
                  id={`${id}-label-${index}`}
                  value={draftLabel}
                  maxLength={50}
                  onChange={(e) => setDraftLabel(e.target.value)}
                  autoFocus
                />
                <button type="submit" className="button button-primary" disabled={update.isPending}>
                  Save label
                </button>
                <button type="button" className="button button-quiet" onClick={() => setEditing(null)}>
                  Cancel
                </button>
              </form>
            ) : (
              <span className="address-actions">
                {!a.primary ? (
                  <button
                    type="button"
                    className="button button-quiet"
                    disabled={update.isPending}
                    aria-label={`Make ${a.value} primary`}
                    onClick={() => send(withPrimary(list, index))}
                  >
                    Make primary
                  </button>
                ) : null}
                <button
                  type="button"
                  className="button button-quiet"
                  aria-label={`Edit the label of ${a.value}`}
                  onClick={() => {
                    setEditing(index);
                    setDraftLabel(a.label ?? '');
                  }}
                >
                  Edit label
                </button>
                <button
                  type="button"
                  className="button button-quiet"
                  disabled={update.isPending}
                  aria-label={`Remove ${a.value}`}
                  onClick={() => send(withRemoved(list, index))}
                >
                  Remove
                </button>
              </span>
            )}
          </li>
        ))}
      </ul>
      <form className="inline-form" onSubmit={add} aria-label={`Add ${words.one}`}>
        <label htmlFor={`${id}-value`}>New {words.one}</label>
        <input id={`${id}-value`} type={words.type} value={value} onChange={(e) => setValue(e.target.value)} required />
        <label htmlFor={`${id}-new-label`}>Label</label>
        <input id={`${id}-new-label`} value={label} maxLength={50} placeholder="work, home…" onChange={(e) => setLabel(e.target.value)} />
        <button type="submit" className="button" disabled={update.isPending || list.length >= 20}>
          Add {words.one}
        </button>
      </form>
      {duplicateOf ? (
        <div className="alert alert-warn" role="alert">
          <p>
            {isApiError(update.error) ? String(update.error.problem.detail ?? 'Another contact has that address.') : null}{' '}
            <Link to={`/contacts/${duplicateOf}`}>Open the other contact</Link>
          </p>
        </div>
      ) : (
        <ProblemAlert error={update.error} />
      )}
    </section>
  );
}
