/**
 * A contact's several emails or phones, edited as a list: each change builds the whole list the
 * PATCH replaces (the server normalises, keeps one of a repeated address and checks one primary).
 */

export type AddressKind = 'emails' | 'phones';
export type Address = { value: string; label: string | null; primary: boolean };

type EmailEntry = { email: string; label?: string | null; primary: boolean };
type PhoneEntry = { phone: string; label?: string | null; primary: boolean };

/** The contact's list as the editor holds it, primary first as the contact shows it. */
export function addressesOf(kind: AddressKind, contact: { emails?: EmailEntry[]; phones?: PhoneEntry[] }): Address[] {
  const entries =
    kind === 'emails'
      ? (contact.emails ?? []).map((e) => ({ value: e.email, label: e.label ?? null, primary: e.primary }))
      : (contact.phones ?? []).map((p) => ({ value: p.phone, label: p.label ?? null, primary: p.primary }));
  return [...entries.filter((a) => a.primary), ...entries.filter((a) => !a.primary)];
}

/** A new address joins the list; the first one a contact gets is its primary. */
export function withAdded(list: Address[], value: string, label: string): Address[] {
  return [...list, { value: value.trim(), label: label.trim() || null, primary: list.length === 0 }];
}

/** Removing the primary makes the next one primary, so the contact keeps a main address. */
export function withRemoved(list: Address[], index: number): Address[] {
  const rest = list.filter((_, i) => i !== index);
  if (rest.length > 0 && !rest.some((a) => a.primary)) rest[0] = { ...rest[0]!, primary: true };
  return rest;
}

export function withPrimary(list: Address[], index: number): Address[] {
  return list.map((a, i) => ({ ...a, primary: i === index }));
}

export function withLabel(list: Address[], index: number, label: string): Address[] {
  return list.map((a, i) => (i === index ? { ...a, label: label.trim() || null } : a));
}

/** The PATCH body for the list: `{emails: [{email, label, primary}]}` or the phones' likewise. */
export function addressPatch(kind: AddressKind, list: Address[]): { emails: EmailEntry[] } | { phones: PhoneEntry[] } {
  if (kind === 'emails') return { emails: list.map((a) => ({ email: a.value, label: a.label, primary: a.primary })) };
  return { phones: list.map((a) => ({ phone: a.value, label: a.label, primary: a.primary })) };
}
