/** Contacts: a searchable, paged list, one contact, creating and editing them. */
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, ifMatch, unwrap } from '../api/client';
import { keys } from '../api/keys';
import type { ListQuery } from '../views/viewFilters';
import type { BodyOf, BulkOperation, Contact } from '../api/types';

/** A page of contacts: `query` holds the list's filters and sort as the address has them (a saved view's). */
export function useContacts(q: string, cursor: string | null, query: ListQuery = {}) {
  return useQuery({
    queryKey: [...keys.contacts(q, cursor), query],
    queryFn: () =>
      unwrap(
        api.GET('/api/v1/contacts', {
          params: { query: { ...query, ...(q ? { q } : {}), ...(cursor ? { cursor } : {}), limit: 25 } },
        }),
      ),
    placeholderData: keepPreviousData,
  });
}

export function useContact(id: string | null | undefined) {
  return useQuery({
    queryKey: keys.contact(id ?? ''),
    enabled: Boolean(id),
    queryFn: () => unwrap(api.GET('/api/v1/contacts/{contact_id}', { params: { path: { contact_id: id! } } })),
  });
}

export function contactName(c: Pick<Contact, 'first_name' | 'last_name' | 'email'>): string {
  const name = [c.first_name, c.last_name].filter(Boolean).join(' ');
  return name || c.email || 'Unnamed contact';
}

export type NewContact = { first_name?: string; last_name?: string; email?: string; phone?: string };

export function useCreateContact() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ allowDuplicate, ...body }: NewContact & { allowDuplicate?: boolean }) =>
      unwrap(api.POST('/api/v1/contacts', { body, params: { query: allowDuplicate ? { on_duplicate: 'allow' } : {} } })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: keys.contactsAll }),
  });
}

export function useUpdateContact(contact: Contact | undefined) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (patch: ContactPatch) => {
      if (!contact) throw new Error('The contact has not loaded');
      return unwrap(
        api.PATCH('/api/v1/contacts/{contact_id}', {
          params: { path: { contact_id: contact.id } },
          body: patch,
          headers: ifMatch(contact.version),
        }),
      );
    },
    onSuccess: (updated) => {
      queryClient.setQueryData(keys.contact(updated.id), updated);
      void queryClient.invalidateQueries({ queryKey: keys.contactsAll });
      void queryClient.invalidateQueries({ queryKey: keys.timeline('contacts', updated.id) });
    },
    onError: () => contact && queryClient.invalidateQueries({ queryKey: keys.contact(contact.id) }),
  });
}

/** A JSON merge-patch of a contact: single fields, or whole `emails`/`phones` lists. */
export type ContactPatch = BodyOf<'/api/v1/contacts/{contact_id}', 'patch'>;

export type ContactBulk = BodyOf<'/api/v1/contacts/bulk', 'post'>;

/** One action on many contacts; the answer is the operation with each contact's result. */
export function useBulkContacts() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: ContactBulk): Promise<BulkOperation> =>
      unwrap(api.POST('/api/v1/contacts/bulk', { body })) as Promise<BulkOperation>,
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: keys.contactsAll });
      void queryClient.invalidateQueries({ queryKey: ['contact'] });
    },
  });
}
