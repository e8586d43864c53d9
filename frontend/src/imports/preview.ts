/** The dry run's preview rows (`{row, outcome, record, reason, ...}`) as a table. */
import type { ImportObject } from './mapping';

export type PreviewEntry = {
  row: number;
  outcome: 'created' | 'merged' | 'skipped' | 'failed' | string;
  record?: Record<string, unknown>;
  reason?: string;
  record_id?: string;
  duplicate_of?: string;
};

const PREFERRED: Record<ImportObject, string[]> = {
  contacts: ['first_name', 'last_name', 'email', 'phone', 'title', 'company', 'source', 'tags'],
  accounts: ['name', 'domain', 'website', 'industry', 'phone', 'tags'],
  deals: ['title', 'amount', 'currency', 'stage', 'status', 'expected_close_date', 'account', 'source'],
};
// Internal ids and bookkeeping say nothing to the person checking the file.
const HIDDEN = new Set(['id', 'workspace_id', 'version', 'rank', 'owner_id', 'account_id', 'pipeline_id', 'stage_id', 'created_by']);

/** Entries of the preview as the API stores them (a free JSON list); malformed ones are left out. */
export function previewEntries(preview: readonly unknown[]): PreviewEntry[] {
  return preview.filter(
    (e): e is PreviewEntry =>
      typeof e === 'object' && e !== null && typeof (e as PreviewEntry).row === 'number' && typeof (e as PreviewEntry).outcome === 'string',
  );
}

/** The record fields to show: the preferred ones any row has, then others, at most `max`. */
export function previewColumns(object: ImportObject, entries: readonly PreviewEntry[], max = 6): string[] {
  const present = new Set<string>();
  for (const e of entries) for (const [k, v] of Object.entries(e.record ?? {})) if (cellText(v) !== '' && !HIDDEN.has(k)) present.add(k);
  const ordered = [
    ...PREFERRED[object].filter((k) => present.has(k)),
    ...[...present].filter((k) => !PREFERRED[object].includes(k)).sort(),
  ];
  return ordered.slice(0, max);
}

export function cellText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (Array.isArray(value)) return value.map(cellText).filter(Boolean).join(', ');
  if (typeof value === 'object') {
    return Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => cellText(v) !== '')
      .map(([k, v]) => `${k}: ${cellText(v)}`)
      .join('; ');
  }
  return String(value);
}

export const OUTCOME_LABEL: Record<string, string> = {
  created: 'New',
  merged: 'Merges into existing',
  skipped: 'Skipped (exists)',
  failed: 'Fails',
};
