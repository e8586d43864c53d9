/** /contacts: search, page through and add contacts. */
import { type FormEvent, useId, useState } from 'react';
import { Link } from 'react-router';
import { isApiError } from '../api/problem';
import type { Contact } from '../api/types';
import { RecordListPage } from '../ui/RecordListPage';
import { ProblemAlert } from '../ui/States';
import { contactName, useContact, useContacts, useCreateContact } from './contactData';

export function ContactsPage() {
  return (
    <RecordListPage<Contact>
      title="Contacts"
      noun="contacts"
      useList={useContacts}
      rowHeader={{ header: 'Name', cell: (c) => <Link to={`/contacts/${c.id}`}>{contactName(c)}</Link> }}
      columns={[
        { header: 'Email', cell: (c) => c.email },
        { header: 'Phone', cell: (c) => c.phone },
        { header: 'Title', cell: (c) => c.title },
      ]}
      newLabel="New contact"
      renderNewForm={(close) => <NewContactForm onDone={close} />}
    />
  );
}

function NewContactForm({ onDone }: { onDone: () => void }) {
  const id = useId();
  const create = useCreateContact();
  const [values, setValues] = useState({ first_name: '', last_name: '', email: '', phone: '' });
  const duplicateOf =
    isApiError(create.error) && create.error.status === 409 ? (create.error.problem.duplicate_of as string | undefined) : undefined;

  function body() {
    return Object.fromEntries(
      Object.entries(values)
        .filter(([, v]) => v.trim() !== '')
        .map(([k, v]) => [k, v.trim()]),
    );
  }

  function submit(event: FormEvent) {
    event.preventDefault();
    create.mutate(body(), { onSuccess: onDone });
  }

  const fields: [keyof typeof values, string, string][] = [
    ['first_name', 'First name', 'text'],
    ['last_name', 'Last name', 'text'],
    ['email', 'Email', 'email'],
    ['phone', 'Phone', 'tel'],
  ];
  return (
    <form className="card-form" onSubmit={submit} aria-label="New contact">
      <div className="form-row">
        {fields.map(([name, label, type]) => (
          <div className="field" key={name}>
            <label htmlFor={`${id}-${name}`}>{label}</label>
            <input
              id={`${id}-${name}`}
              type={type}
              value={values[name]}
              onChange={(e) => setValues((v) => ({ ...v, [name]: e.target.value }))}
            />
          </div>
        ))}
      </div>
      {duplicateOf ? (
        <DuplicateNotice
          id={duplicateOf}
          onAddAnyway={() => create.mutate({ ...body(), allowDuplicate: true }, { onSuccess: onDone })}
          busy={create.isPending}
        />
      ) : (
        <ProblemAlert error={create.error} />
      )}
      <div className="form-actions">
        <button type="submit" className="button button-primary" disabled={create.isPending}>
          Add contact
        </button>
        <button type="button" className="button button-quiet" onClick={onDone}>
          Cancel
        </button>
      </div>
    </form>
  );
}

/** A 409 on create: the contact with that email or phone exists; open it, or add this one anyway. */
function DuplicateNotice({ id, onAddAnyway, busy }: { id: string; onAddAnyway: () => void; busy: boolean }) {
  const existing = useContact(id);
  const name = existing.data ? contactName(existing.data) : 'this contact';
  return (
    <div className="alert alert-warn" role="alert">
      <p>
        Looks like {name} already exists{existing.data?.email ? ` (${existing.data.email})` : ''}.
      </p>
      <div className="form-actions">
        <Link className="button" to={`/contacts/${id}`}>
          Open {name}
        </Link>
        <button type="button" className="button button-quiet" disabled={busy} onClick={onAddAnyway}>
          Add anyway
        </button>
      </div>
    </div>
  );
}
