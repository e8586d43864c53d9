/** Why deals were lost in the period: by reason, and by the stage they were lost from. */
import { formatMoney } from '../lib/money';
import { Empty, ErrorState, Loading } from '../ui/States';
import { ReportSection } from './ReportsPage';
import { csvHref, type ReportFilters, useLostReasonsReport } from './reportData';

function percent(rate: number | null | undefined): string {
  return rate === null || rate === undefined ? '—' : `${Math.round(rate * 1000) / 10}%`;
}

export function LostReasons({ filters }: { filters: ReportFilters }) {
  const report = useLostReasonsReport(filters);
  return (
    <ReportSection title="Lost reasons" csv={csvHref('lost-reasons', filters)}>
      {report.isPending ? (
        <Loading />
      ) : report.isError ? (
        <ErrorState error={report.error} onRetry={() => void report.refetch()} />
      ) : report.data.lost_count === 0 ? (
        <Empty title="No deals were lost in this period." />
      ) : (
        <div className="table-wrap">
          <table className="records" aria-label="Lost deals by reason">
            <thead>
              <tr>
                <th scope="col">Reason</th>
                <th scope="col">Deals</th>
                <th scope="col">Share</th>
                <th scope="col">Amount</th>
              </tr>
            </thead>
            <tbody>
              {report.data.reasons.map((r) => (
                <tr key={r.lost_reason}>
                  <th scope="row">{r.lost_reason}</th>
                  <td>{r.count}</td>
                  <td>{percent(r.share)}</td>
                  <td>{formatMoney(r.amount, report.data.currency)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <table className="records" aria-label="Lost deals by stage">
            <thead>
              <tr>
                <th scope="col">Lost from stage</th>
                <th scope="col">Deals</th>
                <th scope="col">Reasons</th>
              </tr>
            </thead>
            <tbody>
              {report.data.stages.map((s) => (
                <tr key={s.stage_id ?? 'none'}>
                  <th scope="row">{s.stage ?? 'Created lost'}</th>
                  <td>{s.count}</td>
                  <td>{s.reasons.map((r) => `${r.lost_reason} (${r.count})`).join(', ')}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </ReportSection>
  );
}
