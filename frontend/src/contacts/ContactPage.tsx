/** /contacts/:contactId: a contact's fields (edited in place), timeline and activity. */
import { Link, useParams } from 'react-router';
import { useAccount } from '../accounts/accountData';
import { ActivityForm } from '../activities/ActivityForm';
import { Timeline } from '../activities/Timeline';
import { isApiError } from '../api/problem';
import { ContactDuplicates } from '../duplicates/ContactDuplicates';
import type { Contact } from '../api/types';
import { FilesPanel } from '../files/FilesPanel';
import { formatDateTime } from '../lib/dates';
import { MemberName } from '../shell/MemberName';
import { DeleteRecordButton } from '../trash/DeleteRecordButton';
import { EditableField } from '../ui/EditableField';
import { ErrorState, Loading } from '../ui/States';
import { ContactAddresses } from './ContactAddresses';
import { contactName, useContact, useUpdateContact } from './contactData';
import { EraseContact } from './EraseContact';

export function ContactPage() {
  const { contactId = '' } = useParams();
  const contact = useContact(contactId);
  if (contact.isPending) return <Loading label="Loading the contact…" />;
  if (contact.isError) {
    const gone = isApiError(contact.error) && contact.error.status === 404;
    const mergedInto = gone && isApiError(contact.error) ? (contact.error.problem.merged_into as string | undefined) : undefined;
    return (
      <section className="page">
        <h1>{gone ? 'Contact not found' : 'Contact'}</h1>
        <ErrorState error={contact.error} onRetry={gone ? undefined : () => void contact.refetch()} />
        {mergedInto ? (
          <p>
            It was merged: <Link to={`/contacts/${mergedInto}`}>open the contact it was merged into</Link>
          </p>
        ) : null}
        <p>
          <Link to="/contacts">Back to contacts</Link>
        </p>
      </section>
    );
  }
  return <ContactView contact={contact.data} />;
}

function ContactView({ contact }: { contact: Contact }) {
  const update = useUpdateContact(contact);
  const account = useAccount(contact.account_id ?? null);
  const save = (field: string) => (value: string) => update.mutateAsync({ [field]: value === '' ? null : value });
  const text: [string, string, 'text'][] = [
    ['first_name', 'First name', 'text'],
    ['last_name', 'Last name', 'text'],
    ['title', 'Job title', 'text'],
  ];
  return (
    <section className="page record-page" aria-labelledby="contact-title">
      <p className="breadcrumb">
        <Link to="/contacts">Contacts</Link> / Contact
      </p>
      <div className="page-header">
        <title>{`${contactName(contact)} · Rapport`}</title>
        <h1 id="contact-title">{contactName(contact)}</h1>
        <DeleteRecordButton object="contacts" id={contact.id} name={contactName(contact)} noun="contact" />
      </div>
      <ContactDuplicates contact={contact} />
      <div className="record-layout">
        <section className="record-fields" aria-label="Contact details">
          <dl>
            {text.map(([field, label, type]) => {
              const value = (contact as Record<string, unknown>)[field];
              const v = typeof value === 'string' ? value : '';
              return <EditableField key={field} label={label} type={type} value={v} display={v || '—'} onSave={save(field)} />;
            })}
            <div className="editable">
              <dt>Account</dt>
              <dd>
                {contact.account_id ? <Link to={`/accounts/${contact.account_id}`}>{account.data?.name ?? 'Open account'}</Link> : '—'}
              </dd>
            </div>
            <div className="editable">
              <dt>Owner</dt>
              <dd>
                <MemberName id={contact.owner_id} />
              </dd>
            </div>
            <div className="editable">
              <dt>Source</dt>
              <dd>{contact.source ?? '—'}</dd>
            </div>
            {contact.tags.length > 0 ? (
              <div className="editable">
                <dt>Tags</dt>
                <dd>{contact.tags.join(', ')}</dd>
              </div>
            ) : null}
            <div className="editable">
              <dt>Created</dt>
              <dd>{formatDateTime(contact.created_at)}</dd>
            </div>
          </dl>
          <ContactAddresses contact={contact} kind="emails" />
          <ContactAddresses contact={contact} kind="phones" />
          <EraseContact contact={contact} />
        </section>
        <div className="record-activity">
          <FilesPanel subject="contacts" id={contact.id} />
          <ActivityForm subject="contacts" id={contact.id} />
          <Timeline subject="contacts" id={contact.id} />
        </div>
      </div>
    </section>
  );
}
