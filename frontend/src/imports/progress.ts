/** An import's progress in words and numbers, for the progress bar and the summary. */

export type ImportStatus = 'queued' | 'running' | 'done' | 'failed';

export type ImportProgress = {
  status: ImportStatus;
  total: number | null;
  processed: number;
  created: number;
  merged: number;
  skipped: number;
  failed: number;
  dry_run?: boolean;
  error?: string | null;
};

const count = new Intl.NumberFormat('en-US');

export function isFinished(status: ImportStatus): boolean {
  return status === 'done' || status === 'failed';
}

/** 0..100, or null while the total is unknown (the bar is then indeterminate). */
export function progressPercent(p: ImportProgress): number | null {
  if (p.status === 'done') return 100;
  if (p.total === null) return null;
  if (p.total === 0) return p.status === 'failed' ? 0 : 100;
  return Math.min(100, Math.floor((p.processed / p.total) * 100));
}

export function rows(n: number): string {
  return `${count.format(n)} ${n === 1 ? 'row' : 'rows'}`;
}

/** "Waiting for a worker…", "Counting rows…", "1,200 of 5,000 rows (24%)", "Done: 5,000 rows". */
export function progressLabel(p: ImportProgress): string {
  switch (p.status) {
    case 'queued':
      return 'Waiting for a worker to start…';
    case 'failed':
      return p.error ? `Failed: ${p.error}` : 'The import failed';
    case 'done':
      return `Done: ${rows(p.processed)}`;
    case 'running':
      if (p.total === null) return p.processed > 0 ? `${rows(p.processed)} so far…` : 'Counting rows…';
      return `${count.format(p.processed)} of ${rows(p.total)} (${progressPercent(p)}%)`;
  }
}

/** The outcome counts worth showing, in a fixed order; zero counts other than created are left out. */
export function outcomeParts(p: ImportProgress, projected = false): { key: string; label: string; value: number }[] {
  const verbs = projected
    ? { created: 'Would create', merged: 'Would merge', skipped: 'Would skip', failed: 'Would fail' }
    : { created: 'Created', merged: 'Merged', skipped: 'Skipped', failed: 'Failed' };
  return (['created', 'merged', 'skipped', 'failed'] as const)
    .filter((k) => k === 'created' || k === 'failed' || p[k] > 0)
    .map((k) => ({ key: k, label: verbs[k], value: p[k] }));
}

/** How often to ask again: quickly while it is young, calmer for a long import, never once finished. */
export function pollInterval(p: ImportProgress | undefined, elapsedMs: number): number | false {
  if (p && isFinished(p.status)) return false;
  return elapsedMs < 10_000 ? 500 : 1500;
}
