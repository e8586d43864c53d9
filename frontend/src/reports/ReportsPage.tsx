/**
 * /reports: how the period went (summary, won over time), where deals stall (funnel), where they
 * come from (sources), what is coming (forecast). Each chart sits beside the table of its
 * numbers; the charts' code is loaded only when this screen opens.
 */
import { lazy, type ReactNode, Suspense, useId, useState } from 'react';
import type { Pipeline } from '../api/types';
import { formatMoney } from '../lib/money';
import { defaultPipeline, usePipelines } from '../pipeline/boardData';
import { Empty, ErrorState, Loading } from '../ui/States';
import { LostReasons } from './LostReasonsReport';
import { forecastSeries, funnelSeries, periodLabel, sourcesSeries, wonSeries } from './chartData';
import { csvHref, type Interval, type ReportFilters, useForecast, useFunnel, useSources, useSummary, useWonOverTime } from './reportData';
import './reports.css';

const WonChart = lazy(() => import('./ReportCharts').then((m) => ({ default: m.WonChart })));
const FunnelChart = lazy(() => import('./ReportCharts').then((m) => ({ default: m.FunnelChart })));
const SourcesChart = lazy(() => import('./ReportCharts').then((m) => ({ default: m.SourcesChart })));
const ForecastChart = lazy(() => import('./ReportCharts').then((m) => ({ default: m.ForecastChart })));

function ChartSlot({ children }: { children: ReactNode }) {
  return <Suspense fallback={<div className="chart chart-loading" aria-hidden="true" />}>{children}</Suspense>;
}

function percent(rate: number | null | undefined): string {
  return rate === null || rate === undefined ? '—' : `${Math.round(rate * 1000) / 10}%`;
}

function days(value: number | null | undefined): string {
  return value === null || value === undefined ? '—' : `${Math.round(value * 10) / 10} d`;
}

export function ReportsPage() {
  const id = useId();
  const pipelines = usePipelines();
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [chosen, setChosen] = useState<string>('');
  const items: Pipeline[] = pipelines.data?.items ?? [];
  const pipelineId = chosen || defaultPipeline(items)?.id;
  const filters: ReportFilters = { from: from || undefined, to: to || undefined, pipelineId };

  return (
    <section className="page" aria-labelledby={`${id}-title`}>
      <div className="page-header">
        <title>Reports · Rapport</title>
        <h1 id={`${id}-title`}>Reports</h1>
        <div className="board-filters">
          <div className="field field-inline">
            <label htmlFor={`${id}-from`}>From</label>
            <input id={`${id}-from`} type="date" value={from} onChange={(e) => setFrom(e.target.value)} />
          </div>
          <div className="field field-inline">
            <label htmlFor={`${id}-to`}>To</label>
            <input id={`${id}-to`} type="date" value={to} onChange={(e) => setTo(e.target.value)} />
          </div>
          {items.length > 1 ? (
            <div className="field field-inline">
              <label htmlFor={`${id}-pipeline`}>Pipeline</label>
              <select id={`${id}-pipeline`} value={pipelineId ?? ''} onChange={(e) => setChosen(e.target.value)}>
                {items.map((p) => (
                  <option key={p.id} value={p.id}>
                    {p.name}
                  </option>
                ))}
              </select>
            </div>
          ) : null}
        </div>
      </div>
      <p className="muted">Without dates, the period is this month. Dates are in the workspace’s time zone.</p>
      <Summary filters={filters} />
      <WonOverTime filters={filters} />
      <Funnel filters={filters} />
      <Sources filters={filters} />
      <Forecast pipelineId={pipelineId} />
      <LostReasons filters={filters} />
    </section>
  );
}

export function ReportSection({ title, csv, children, tools }: { title: string; csv: string; children: ReactNode; tools?: ReactNode }) {
  const id = useId();
  return (
    <section className="settings-block report" aria-labelledby={id}>
      <div className="report-header">
        <h2 id={id}>{title}</h2>
        {tools}
        <a href={csv} download>
          Download CSV<span className="visually-hidden"> of {title.toLowerCase()}</span>
        </a>
      </div>
      {children}
    </section>
  );
}

function Summary({ filters }: { filters: ReportFilters }) {
  const summary = useSummary(filters);
  return (
    <ReportSection title="Summary" csv={csvHref('summary', filters)}>
      {summary.isPending ? (
        <Loading />
      ) : summary.isError ? (
        <ErrorState error={summary.error} onRetry={() => void summary.refetch()} />
      ) : (
        <dl className="facts">
          <div>
            <dt>Won</dt>
            <dd>
              {summary.data.won_count} · {formatMoney(summary.data.won_amount, summary.data.currency)}
            </dd>
          </div>
          <div>
            <dt>Lost</dt>
            <dd>{summary.data.lost_count}</dd>
          </div>
          <div>
            <dt>Win rate</dt>
            <dd>{percent(summary.data.win_rate)}</dd>
          </div>
          <div>
            <dt>New deals</dt>
            <dd>{summary.data.new_deals}</dd>
          </div>
          <div>
            <dt>New contacts</dt>
            <dd>{summary.data.new_contacts}</dd>
          </div>
          <div>
            <dt>Average deal size</dt>
            <dd>{formatMoney(summary.data.avg_deal_size, summary.data.currency)}</dd>
          </div>
          <div>
            <dt>Days to close (average · median)</dt>
            <dd>
              {days(summary.data.avg_days_to_close)} · {days(summary.data.median_days_to_close)}
            </dd>
          </div>
        </dl>
      )}
    </ReportSection>
  );
}

function Funnel({ filters }: { filters: ReportFilters }) {
  const funnel = useFunnel(filters);
  return (
    <ReportSection title="Funnel" csv={csvHref('funnel', filters)}>
      {!filters.pipelineId ? (
        <Empty title="No pipeline to report on." />
      ) : funnel.isPending ? (
        <Loading />
      ) : funnel.isError ? (
        <ErrorState error={funnel.error} onRetry={() => void funnel.refetch()} />
      ) : (
        <div className="report-body">
          <ChartSlot>
            <FunnelChart data={funnelSeries(funnel.data)} />
          </ChartSlot>
          <div className="table-wrap">
            <table className="records">
              <thead>
                <tr>
                  <th scope="col">Stage</th>
                  <th scope="col">Entered</th>
                  <th scope="col">Reached</th>
                  <th scope="col">To next stage</th>
                  <th scope="col">Days in stage (median · p90)</th>
                </tr>
              </thead>
              <tbody>
                {funnel.data.stages.map((s) => (
                  <tr key={s.stage_id}>
                    <th scope="row">{s.name}</th>
                    <td>{s.entered}</td>
                    <td>{s.reached}</td>
                    <td>{s.converted_to_next === null ? '—' : `${s.converted_to_next} (${percent(s.conversion_rate)})`}</td>
                    <td>
                      {days(s.median_days_in_stage)} · {days(s.p90_days_in_stage)}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </div>
      )}
    </ReportSection>
  );
}

function Sources({ filters }: { filters: ReportFilters }) {
  const sources = useSources(filters);
  return (
    <ReportSection title="Sources" csv={csvHref('sources', filters)}>
      {sources.isPending ? (
        <Loading />
      ) : sources.isError ? (
        <ErrorState error={sources.error} onRetry={() => void sources.refetch()} />
      ) : sources.data.sources.length === 0 ? (
        <Empty title="No leads or deals in this period." />
      ) : (
        <div className="report-body">
          <ChartSlot>
            <SourcesChart data={sourcesSeries(sources.data)} currency={sources.data.currency} />
          </ChartSlot>
          <div className="table-wrap">
            <table className="records">
              <thead>
                <tr>
                  <th scope="col">Source</th>
                  <th scope="col">Leads</th>
                  <th scope="col">Deals</th>
                  <th scope="col">Won</th>
                  <th scope="col">Win rate</th>
                  <th scope="col">Days to close</th>
                </tr>
              </thead>
              <tbody>
                {sources.data.sources.map((s) => (
                  <tr key={s.source}>
                    <th scope="row">{s.source}</th>
                    <td>{s.leads}</td>
                    <td>{s.deals}</td>
                    <td>
                      {s.won_count} · {formatMoney(s.won_amount, sources.data.currency)}
                    </td>
                    <td>{percent(s.win_rate)}</td>
                    <td>{days(s.avg_days_to_close)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </div>
      )}
    </ReportSection>
  );
}

function Forecast({ pipelineId }: { pipelineId: string | undefined }) {
  const forecast = useForecast(pipelineId);
  return (
    <ReportSection title="Forecast" csv={csvHref('forecast', { pipelineId })}>
      {forecast.isPending ? (
        <Loading />
      ) : forecast.isError ? (
        <ErrorState error={forecast.error} onRetry={() => void forecast.refetch()} />
      ) : (
        <div className="report-body">
          <ChartSlot>
            <ForecastChart data={forecastSeries(forecast.data)} currency={forecast.data.currency} />
          </ChartSlot>
          <div className="table-wrap">
            <table className="records">
              <thead>
                <tr>
                  <th scope="col">Month</th>
                  <th scope="col">Weighted</th>
                  <th scope="col">Commit (≥ {forecast.data.commit_probability}%)</th>
                  <th scope="col">Best case</th>
                  <th scope="col">Won</th>
                </tr>
              </thead>
              <tbody>
                {forecast.data.months.map((m) => (
                  <tr key={m.month}>
                    <th scope="row">{m.month}</th>
                    <td>{formatMoney(m.weighted, forecast.data.currency)}</td>
                    <td>{formatMoney(m.commit, forecast.data.currency)}</td>
                    <td>{formatMoney(m.best_case, forecast.data.currency)}</td>
                    <td>{formatMoney(m.closed_won, forecast.data.currency)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </div>
      )}
    </ReportSection>
  );
}

function WonOverTime({ filters }: { filters: ReportFilters }) {
  const id = useId();
  const [interval, setGrouping] = useState<Interval>('week');
  const won = useWonOverTime(filters, interval);
  return (
    <ReportSection
      title="Won over time"
      csv={csvHref('won-over-time', filters, { interval })}
      tools={
        <div className="field field-inline">
          <label htmlFor={`${id}-interval`}>Per</label>
          <select id={`${id}-interval`} value={interval} onChange={(e) => setGrouping(e.target.value as Interval)}>
            <option value="week">week</option>
            <option value="month">month</option>
          </select>
        </div>
      }
    >
      {won.isPending ? (
        <Loading />
      ) : won.isError ? (
        <ErrorState error={won.error} onRetry={() => void won.refetch()} />
      ) : won.data.points.length === 0 ? (
        <Empty title="Nothing won in this period." />
      ) : (
        <div className="report-body">
          <ChartSlot>
            <WonChart data={wonSeries(won.data)} currency={won.data.currency} />
          </ChartSlot>
          <div className="table-wrap">
            <table className="records">
              <thead>
                <tr>
                  <th scope="col">{interval === 'week' ? 'Week of' : 'Month'}</th>
                  <th scope="col">Deals won</th>
                  <th scope="col">Amount won</th>
                </tr>
              </thead>
              <tbody>
                {won.data.points.map((p) => (
                  <tr key={p.period_start}>
                    <th scope="row">{periodLabel(p.period_start, won.data.interval)}</th>
                    <td>{p.won_count}</td>
                    <td>{formatMoney(p.won_amount, won.data.currency)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </div>
      )}
    </ReportSection>
  );
}
