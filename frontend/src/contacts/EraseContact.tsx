/** "Erase personal data" (GDPR Art. 17): admins only, behind a confirmation naming what goes. */
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useId, useState } from 'react';
import { api, unwrap } from '../api/client';
import { keys } from '../api/keys';
import type { Contact } from '../api/types';
import { useMe } from '../auth/session';
import { ProblemAlert } from '../ui/States';

const CONFIRM_WORD = 'ERASE';

export function EraseContact({ contact }: { contact: Contact }) {
  const me = useMe();
  const queryClient = useQueryClient();
  const headingId = useId();
  const inputId = useId();
  const [open, setOpen] = useState(false);
  const [typed, setTyped] = useState('');
  const erase = useMutation({
    mutationFn: () => unwrap(api.POST('/api/v1/contacts/{contact_id}/erase', { params: { path: { contact_id: contact.id } } })),
    onSuccess: () => {
      setOpen(false);
      void queryClient.invalidateQueries({ queryKey: keys.contact(contact.id) });
      void queryClient.invalidateQueries({ queryKey: keys.contactsAll });
      void queryClient.invalidateQueries({ queryKey: keys.timeline('contacts', contact.id) });
      void queryClient.invalidateQueries({ queryKey: ['files', 'contacts', contact.id] });
    },
  });
  if (me.data?.role !== 'admin') return null;
  if (contact.erased_at) {
    return (
      <p className="muted" role="status">
        This contact&apos;s personal data was erased.
      </p>
    );
  }
  if (!open) {
    return (
      <button type="button" className="button button-danger" onClick={() => setOpen(true)}>
        Erase personal data
      </button>
    );
  }
  return (
    <section className="erase-confirm" role="alertdialog" aria-labelledby={headingId}>
      <h2 id={headingId}>Erase this person&apos;s data?</h2>
      <p>
        Names, email, phone, tags and custom fields are removed from the contact; its email and phone are replaced by “[erased]” in
        activities, form submissions, emails and webhook logs; its files are deleted. Deals and activities stay. This cannot be undone.
      </p>
      <div className="field">
        <label htmlFor={inputId}>Type {CONFIRM_WORD} to confirm</label>
        <input id={inputId} value={typed} onChange={(e) => setTyped(e.target.value)} autoComplete="off" />
      </div>
      <ProblemAlert error={erase.error} />
      <div className="form-actions">
        <button
          type="button"
          className="button button-danger"
          disabled={typed !== CONFIRM_WORD || erase.isPending}
          onClick={() => erase.mutate()}
        >
          Erase permanently
        </button>
        <button type="button" className="button" onClick={() => setOpen(false)}>
          Cancel
        </button>
      </div>
    </section>
  );
}
