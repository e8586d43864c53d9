/**
 * Column mapping on the Import screen: the fields a column may fill, what the server suggested,
 * and what to send back (only the columns a person changed, so the server's own alias ranking of
 * the rest is kept).
 */

export type ImportObject = 'contacts' | 'accounts' | 'deals';
/** CSV header -> field (null: the column is ignored). */
export type ColumnMapping = Record<string, string | null>;

// The fields the importer takes (docs/api.md, "Imports"); the OpenAPI document carries the mapping
// as a free JSON object, so the list lives here. `custom_fields.<key>` is typed in by hand.
export const FIELDS: Record<ImportObject, readonly { field: string; label: string }[]> = {
  contacts: [
    { field: 'first_name', label: 'First name' },
    { field: 'last_name', label: 'Last name' },
    { field: 'name', label: 'Full name (split)' },
    { field: 'email', label: 'Email' },
    { field: 'phone', label: 'Phone' },
    { field: 'title', label: 'Job title' },
    { field: 'company', label: 'Company (account)' },
    { field: 'owner_email', label: 'Owner (email or name)' },
    { field: 'source', label: 'Source' },
    { field: 'tags', label: 'Tags' },
    { field: 'custom_fields', label: 'Custom fields (JSON)' },
  ],
  accounts: [
    { field: 'name', label: 'Name' },
    { field: 'domain', label: 'Domain' },
    { field: 'website', label: 'Website' },
    { field: 'industry', label: 'Industry' },
    { field: 'phone', label: 'Phone' },
    { field: 'owner_email', label: 'Owner (email or name)' },
    { field: 'tags', label: 'Tags' },
    { field: 'custom_fields', label: 'Custom fields (JSON)' },
  ],
  deals: [
    { field: 'title', label: 'Title' },
    { field: 'amount', label: 'Amount' },
    { field: 'currency', label: 'Currency' },
    { field: 'pipeline', label: 'Pipeline (name)' },
    { field: 'stage', label: 'Stage (name)' },
    { field: 'status', label: 'Status (open, won, lost)' },
    { field: 'owner_email', label: 'Owner (email or name)' },
    { field: 'account', label: 'Account (name or domain)' },
    { field: 'contact_email', label: 'Contact email' },
    { field: 'expected_close_date', label: 'Expected close date' },
    { field: 'created_at', label: 'Created' },
    { field: 'closed_at', label: 'Closed' },
    { field: 'lost_reason', label: 'Lost reason' },
    { field: 'source', label: 'Source' },
    { field: 'tags', label: 'Tags' },
    { field: 'custom_fields', label: 'Custom fields (JSON)' },
  ],
};

export const CUSTOM_PREFIX = 'custom_fields.';

export function fieldLabel(object: ImportObject, field: string | null): string {
  if (field === null) return 'Not imported';
  if (field.startsWith(CUSTOM_PREFIX)) return `Custom field “${field.slice(CUSTOM_PREFIX.length)}”`;
  return FIELDS[object].find((f) => f.field === field)?.label ?? field;
}

/** The choices of a column's select: the object's fields, plus a custom field already chosen. */
export function fieldChoices(object: ImportObject, current: string | null): { field: string; label: string }[] {
  const choices = [...FIELDS[object]];
  if (current && !choices.some((c) => c.field === current)) choices.push({ field: current, label: fieldLabel(object, current) });
  return choices;
}

/**
 * What to send as `mapping`: the columns whose field differs from the suggestion, and nothing for
 * the rest (the server maps those itself, keeping its alias order). Null when nothing changed.
 */
export function mappingOverrides(suggested: ColumnMapping, current: ColumnMapping): ColumnMapping | null {
  const out: ColumnMapping = {};
  for (const [header, field] of Object.entries(current)) {
    const before = header in suggested ? suggested[header] : null;
    if ((field ?? null) !== (before ?? null)) out[header] = field ?? null;
  }
  return Object.keys(out).length > 0 ? out : null;
}

/** Fields filled by more than one column (allowed: a row takes the first non-empty one). */
export function sharedFields(mapping: ColumnMapping): string[] {
  const seen = new Map<string, number>();
  for (const field of Object.values(mapping)) if (field) seen.set(field, (seen.get(field) ?? 0) + 1);
  return [...seen].filter(([, n]) => n > 1).map(([f]) => f);
}

/** What a mapping lacks for rows to import at all, as a sentence; null when it has it. */
export function missingEssentials(object: ImportObject, mapping: ColumnMapping): string | null {
  const fields = new Set(Object.values(mapping).filter((f): f is string => Boolean(f)));
  switch (object) {
    case 'contacts':
      return ['first_name', 'last_name', 'name', 'email', 'phone'].some((f) => fields.has(f))
        ? null
        : 'No column fills a name, an email or a phone: every row would fail.';
    case 'accounts':
      return fields.has('name') || fields.has('domain') ? null : 'No column fills the name or the domain: every row would fail.';
    case 'deals':
      return fields.has('title') ? null : 'No column fills the title: every row would fail.';
  }
}

/** Every header of the file, mapped as the server said, else ignored. */
export function completeMapping(headers: readonly string[], suggested: ColumnMapping | null | undefined): ColumnMapping {
  const out: ColumnMapping = {};
  for (const h of headers) out[h] = suggested?.[h] ?? null;
  // The server's header list wins when it found a header the browser's quick look did not.
  for (const [h, f] of Object.entries(suggested ?? {})) if (!(h in out)) out[h] = f ?? null;
  return out;
}
