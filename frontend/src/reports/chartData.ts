/** Report answers reshaped for charts: decimal strings become numbers (charts draw, they do not sum). */
import type { ResponseOf } from '../api/types';

type Funnel = ResponseOf<'/api/v1/reports/funnel'>;
type Forecast = ResponseOf<'/api/v1/reports/forecast'>;
type Won = ResponseOf<'/api/v1/reports/won-over-time'>;
type Sources = ResponseOf<'/api/v1/reports/sources'>;

/** "1500.00" -> 1500; null, empty or not a number -> 0 (a bar of nothing, not a gap). */
export function amount(value: string | null | undefined): number {
  if (value === null || value === undefined || value === '') return 0;
  const n = Number(value);
  return Number.isFinite(n) ? n : 0;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** "2026-11-23" -> "23 Nov" (a week), "2026-11-01" / "2026-11" -> "Nov 2026" (a month). */
export function periodLabel(start: string, interval: 'week' | 'month'): string {
  const m = /^(\d{4})-(\d{2})(?:-(\d{2}))?$/.exec(start);
  if (!m) return start;
  const month = MONTHS[Number(m[2]) - 1] ?? m[2];
  return interval === 'month' || !m[3] ? `${month} ${m[1]}` : `${Number(m[3])} ${month}`;
}

export function wonSeries(report: Pick<Won, 'points' | 'interval'>) {
  return report.points.map((p) => ({
    label: periodLabel(p.period_start, report.interval),
    amount: amount(p.won_amount),
    count: p.won_count,
  }));
}

/** Open and won stages in order (lost stages are an exit, not a step of the funnel). */
export function funnelSeries(report: Pick<Funnel, 'stages'>) {
  return report.stages.filter((s) => s.kind !== 'lost').map((s) => ({ stage: s.name, reached: s.reached, entered: s.entered }));
}

/** Sources by what they won, the biggest first (a source with only leads still shows its bar). */
export function sourcesSeries(report: Pick<Sources, 'sources'>) {
  return report.sources
    .map((s) => ({ source: s.source, won: amount(s.won_amount), deals: s.deals, leads: s.leads }))
    .sort((a, b) => b.won - a.won || b.deals - a.deals || a.source.localeCompare(b.source));
}

export function forecastSeries(report: Pick<Forecast, 'months'>) {
  return report.months.map((m) => ({
    label: periodLabel(m.month, 'month'),
    weighted: amount(m.weighted),
    commit: amount(m.commit),
    bestCase: amount(m.best_case),
    won: amount(m.closed_won),
  }));
}

/** Axis ticks: 1500 -> "1.5k", 2000000 -> "2M". */
export function compactNumber(value: number): string {
  return new Intl.NumberFormat('en-US', { notation: 'compact', maximumFractionDigits: 1 }).format(value);
}
