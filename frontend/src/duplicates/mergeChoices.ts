/**
 * Choosing what survives a merge: per field, whose value wins. The defaults mirror the server's
 * own rule (the survivor keeps what it has, empty fields are filled from the others in order), so
 * a person only touches the fields they disagree with.
 */

export type MergeField = { field: string; label: string };
export type MergeRecord = { id: string } & Record<string, unknown>;
/** field -> id of the record whose value wins */
export type Choices = Record<string, string>;

export const CONTACT_FIELDS: MergeField[] = [
  { field: 'first_name', label: 'First name' },
  { field: 'last_name', label: 'Last name' },
  { field: 'email', label: 'Email' },
  { field: 'phone', label: 'Phone' },
  { field: 'title', label: 'Job title' },
  { field: 'account_id', label: 'Account' },
  { field: 'owner_id', label: 'Owner' },
  { field: 'source', label: 'Source' },
];

export const DUPLICATE_REASONS: Record<string, string> = {
  same_email: 'same email',
  same_phone: 'same phone',
  same_domain: 'same domain',
  same_name: 'same name',
  similar_name: 'similar name',
  swapped_names: 'first and last name swapped',
  nickname: 'nickname of the same name',
  same_account: 'same account',
  same_email_domain: 'same email domain',
};

export function reasonText(codes: readonly string[]): string {
  return codes.map((c) => DUPLICATE_REASONS[c] ?? c.replace(/_/g, ' ')).join(', ');
}

function filled(value: unknown): boolean {
  return value !== null && value !== undefined && value !== '';
}

/** The fields whose values differ between the records (the only ones worth asking about). */
export function differingFields(fields: readonly MergeField[], records: readonly MergeRecord[]): MergeField[] {
  return fields.filter(({ field }) => new Set(records.map((r) => JSON.stringify(r[field] ?? null))).size > 1);
}

/** Per differing field: the survivor if it has a value, else the first other record that does. */
export function defaultChoices(fields: readonly MergeField[], survivor: MergeRecord, sources: readonly MergeRecord[]): Choices {
  const out: Choices = {};
  for (const { field } of differingFields(fields, [survivor, ...sources])) {
    const donor = filled(survivor[field]) ? survivor : sources.find((s) => filled(s[field]));
    out[field] = (donor ?? survivor).id;
  }
  return out;
}

/** The merge body's `fields`: every choice, stated (so what the person saw is what happens). */
export function mergeBody(
  survivorId: string,
  sourceIds: readonly string[],
  choices: Choices,
): { source_ids: string[]; fields: Choices | null } {
  const fields = Object.fromEntries(Object.entries(choices).filter(([, id]) => id === survivorId || sourceIds.includes(id)));
  return { source_ids: [...sourceIds], fields: Object.keys(fields).length > 0 ? fields : null };
}

/** The groups of duplicates a record is in, and the other records of each. */
export function groupsWith<G extends { record_ids: string[] }>(groups: readonly G[], id: string): (G & { others: string[] })[] {
  return groups.filter((g) => g.record_ids.includes(id)).map((g) => ({ ...g, others: g.record_ids.filter((r) => r !== id) }));
}
