/** Merging a contact into another: per differing field, which value survives; then POST …/merge. */
import { type FormEvent, useEffect, useId, useRef, useState } from 'react';
import { useAccount } from '../accounts/accountData';
import { isApiError } from '../api/problem';
import type { Contact } from '../api/types';
import { contactName } from '../contacts/contactData';
import { MemberName } from '../shell/MemberName';
import { ProblemAlert } from '../ui/States';
import { useMergeContacts } from './duplicateData';
import { CONTACT_FIELDS, type Choices, defaultChoices, differingFields } from './mergeChoices';

export function MergeDialog({ survivor, source, onClose }: { survivor: Contact; source: Contact; onClose: () => void }) {
  const id = useId();
  const dialog = useRef<HTMLDialogElement>(null);
  const records = [survivor, source] as unknown as ({ id: string } & Record<string, unknown>)[];
  const fields = differingFields(CONTACT_FIELDS, records);
  const [choices, setChoices] = useState<Choices>(() => defaultChoices(CONTACT_FIELDS, records[0]!, records.slice(1)));
  const merge = useMergeContacts(survivor.id, survivor.version);

  useEffect(() => {
    const el = dialog.current;
    if (el && !el.open) el.showModal();
    return () => el?.close();
  }, []);

  function submit(event: FormEvent) {
    event.preventDefault();
    merge.mutate({ sourceIds: [source.id], choices }, { onSuccess: onClose });
  }

  const stale = isApiError(merge.error) && merge.error.status === 412;
  return (
    <dialog ref={dialog} className="merge-dialog" aria-labelledby={`${id}-title`} onCancel={onClose}>
      <form onSubmit={submit}>
        <h2 id={`${id}-title`}>
          Merge {contactName(source)} into {contactName(survivor)}
        </h2>
        <p className="muted">
          {described(survivor)} stays and takes over the activities, deals, form submissions and history of {described(source)}, which then
          no longer exists on its own. Tags and custom fields are combined.
        </p>
        {fields.length === 0 ? (
          <p>Both records hold the same values.</p>
        ) : (
          <div className="table-wrap">
            <table className="records merge-table">
              <caption className="visually-hidden">Choose which value to keep for each field</caption>
              <thead>
                <tr>
                  <th scope="col">Field</th>
                  <th scope="col">This contact</th>
                  <th scope="col">The duplicate</th>
                </tr>
              </thead>
              <tbody>
                {fields.map(({ field, label }) => (
                  <tr key={field}>
                    <th scope="row">{label}</th>
                    {[survivor, source].map((record) => (
                      <td key={record.id}>
                        <label className="merge-choice">
                          <input
                            type="radio"
                            name={`${id}-${field}`}
                            value={record.id}
                            checked={choices[field] === record.id}
                            onChange={() => setChoices((c) => ({ ...c, [field]: record.id }))}
                          />
                          <span className="visually-hidden">
                            Keep {label.toLowerCase()} of {record.id === survivor.id ? 'this contact' : 'the duplicate'}:{' '}
                          </span>
                          <FieldValue field={field} value={(record as unknown as Record<string, unknown>)[field]} />
                        </label>
                      </td>
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        {stale ? (
          <p className="alert alert-error" role="alert">
            Someone changed {contactName(survivor)} meanwhile; it has been reloaded. Check the values and merge again.
          </p>
        ) : (
          <ProblemAlert error={merge.error} />
        )}
        <div className="form-actions">
          <button type="submit" className="button button-primary" disabled={merge.isPending}>
            Merge
          </button>
          <button type="button" className="button button-quiet" onClick={onClose}>
            Cancel
          </button>
        </div>
      </form>
    </dialog>
  );
}

function FieldValue({ field, value }: { field: string; value: unknown }) {
  if (value === null || value === undefined || value === '') return <span className="muted">(empty)</span>;
  if (field === 'owner_id') return <MemberName id={String(value)} />;
  if (field === 'account_id') return <AccountName id={String(value)} />;
  return <>{String(value)}</>;
}

function AccountName({ id }: { id: string }) {
  const account = useAccount(id);
  return <>{account.data?.name ?? '…'}</>;
}

/** A name, and the email that tells two people of the same name apart. */
function described(c: Contact): string {
  return c.email ? `${contactName(c)} (${c.email})` : contactName(c);
}
