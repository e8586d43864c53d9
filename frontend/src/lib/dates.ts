/** Dates and times as the screens show them. */

const DAY_MS = 24 * 60 * 60 * 1000;

export function daysSince(iso: string | null | undefined, now: Date = new Date()): number | null {
  if (!iso) return null;
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return null;
  return Math.floor((now.getTime() - t) / DAY_MS);
}

/** Whether a deal has sat in its stage longer than the stage's `rotting_days`. */
export function isIdle(stageEnteredAt: string | null | undefined, rottingDays: number | null | undefined, now: Date = new Date()): boolean {
  if (rottingDays === null || rottingDays === undefined || rottingDays <= 0) return false;
  const days = daysSince(stageEnteredAt, now);
  return days !== null && days > rottingDays;
}

export function formatDate(date: string | null | undefined): string {
  if (!date) return '—';
  // A plain YYYY-MM-DD is a calendar date: show it without shifting it through a time zone.
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  const d = m ? new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3])) : new Date(date);
  if (Number.isNaN(d.getTime())) return date;
  return d.toLocaleDateString(undefined, { year: 'numeric', month: 'short', day: 'numeric' });
}

export function formatDateTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return d.toLocaleString(undefined, { year: 'numeric', month: 'short', day: 'numeric', hour: 'numeric', minute: '2-digit' });
}

/** A local date input's value ("2026-11-23") as the end of that day in RFC 3339, for `due_at`. */
export function dateInputToDueAt(value: string): string | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!m) return null;
  return new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]), 17, 0, 0).toISOString();
}
