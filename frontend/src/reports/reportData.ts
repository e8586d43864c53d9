/** The reports the Reports screen shows (summary, won over time, funnel, sources, forecast, lost reasons), for a period and pipeline. */
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { api, unwrap } from '../api/client';

/** Reports answer JSON or CSV; these calls ask for JSON, so a string answer is not what they expect. */
async function json<T>(call: Promise<T | string>): Promise<T> {
  const data = await call;
  if (typeof data === 'string') throw new Error('The report came back as text instead of JSON');
  return data;
}

export type ReportFilters = { from?: string; to?: string; pipelineId?: string };

function query(filters: ReportFilters) {
  return {
    ...(filters.from ? { from: filters.from } : {}),
    ...(filters.to ? { to: filters.to } : {}),
    ...(filters.pipelineId ? { pipeline_id: filters.pipelineId } : {}),
  };
}

export function useSummary(filters: ReportFilters) {
  return useQuery({
    queryKey: ['reports', 'summary', filters],
    queryFn: () => json(unwrap(api.GET('/api/v1/reports/summary', { params: { query: query(filters) } }))),
    placeholderData: keepPreviousData,
  });
}

export function useFunnel(filters: ReportFilters) {
  return useQuery({
    queryKey: ['reports', 'funnel', filters],
    enabled: Boolean(filters.pipelineId),
    queryFn: () =>
      json(unwrap(api.GET('/api/v1/reports/funnel', { params: { query: { ...query(filters), pipeline_id: filters.pipelineId! } } }))),
    placeholderData: keepPreviousData,
  });
}

export function useSources(filters: ReportFilters) {
  return useQuery({
    queryKey: ['reports', 'sources', filters],
    queryFn: () => json(unwrap(api.GET('/api/v1/reports/sources', { params: { query: query(filters) } }))),
    placeholderData: keepPreviousData,
  });
}

export function useForecast(pipelineId: string | undefined) {
  return useQuery({
    queryKey: ['reports', 'forecast', pipelineId ?? ''],
    queryFn: () =>
      json(
        unwrap(
          api.GET('/api/v1/reports/forecast', { params: { query: { months: 3, ...(pipelineId ? { pipeline_id: pipelineId } : {}) } } }),
        ),
      ),
  });
}

export type Interval = 'week' | 'month';

export function useWonOverTime(filters: ReportFilters, interval: Interval) {
  return useQuery({
    queryKey: ['reports', 'won-over-time', filters, interval],
    queryFn: () => json(unwrap(api.GET('/api/v1/reports/won-over-time', { params: { query: { ...query(filters), interval } } }))),
    placeholderData: keepPreviousData,
  });
}

/** The same report as a CSV download (the session cookie goes along with a same-origin link). */
export function csvHref(
  report: 'summary' | 'funnel' | 'forecast' | 'won-over-time' | 'lost-reasons' | 'sources',
  filters: ReportFilters,
  extra: Record<string, string> = {},
): string {
  const params = new URLSearchParams({ format: 'csv', ...query(filters), ...extra });
  if (report === 'forecast') {
    params.delete('from');
    params.delete('to');
    params.set('months', '3');
  }
  return `/api/v1/reports/${report}?${params.toString()}`;
}

export function useLostReasonsReport(filters: ReportFilters) {
  return useQuery({
    queryKey: ['reports', 'lost-reasons', filters],
    queryFn: () => json(unwrap(api.GET('/api/v1/reports/lost-reasons', { params: { query: query(filters) } }))),
    placeholderData: keepPreviousData,
  });
}
