/**
 * The report charts (recharts), loaded with the Reports screen only. Each is a picture of the
 * table beside it, which carries the numbers for screen readers and for reading exact values.
 */
import type { ReactElement } from 'react';
import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { formatMoney } from '../lib/money';
import { compactNumber } from './chartData';

const COLORS = { primary: '#2457d6', light: '#9db5ee', ok: '#067647', muted: '#b8bdc7' };
const money = (currency: string) => (value: unknown) => formatMoney(String(value), currency);

function Frame({ label, children }: { label: string; children: ReactElement }) {
  return (
    <figure className="chart" role="img" aria-label={label}>
      <ResponsiveContainer width="100%" height={240}>
        {children}
      </ResponsiveContainer>
    </figure>
  );
}

export function WonChart({ data, currency }: { data: { label: string; amount: number; count: number }[]; currency: string }) {
  return (
    <Frame label="Bar chart of the amount won in each period; the numbers are in the table">
      <BarChart accessibilityLayer={false} data={data} margin={{ top: 8, right: 8, bottom: 0, left: 0 }}>
        <CartesianGrid strokeDasharray="3 3" vertical={false} />
        <XAxis dataKey="label" tick={{ fontSize: 12 }} />
        <YAxis tickFormatter={compactNumber} width={48} tick={{ fontSize: 12 }} />
        <Tooltip formatter={money(currency)} />
        <Bar dataKey="amount" name="Won" fill={COLORS.ok} isAnimationActive={false} />
      </BarChart>
    </Frame>
  );
}

export function FunnelChart({ data }: { data: { stage: string; reached: number; entered: number }[] }) {
  return (
    <Frame label="Bar chart of how many deals reached each stage; the numbers are in the table">
      <BarChart accessibilityLayer={false} data={data} layout="vertical" margin={{ top: 8, right: 16, bottom: 0, left: 8 }}>
        <CartesianGrid strokeDasharray="3 3" horizontal={false} />
        <XAxis type="number" allowDecimals={false} tick={{ fontSize: 12 }} />
        <YAxis type="category" dataKey="stage" width={110} tick={{ fontSize: 12 }} />
        <Tooltip />
        <Legend />
        <Bar dataKey="reached" name="Reached" fill={COLORS.primary} isAnimationActive={false} />
        <Bar dataKey="entered" name="Entered" fill={COLORS.light} isAnimationActive={false} />
      </BarChart>
    </Frame>
  );
}

export function ForecastChart({
  data,
  currency,
}: {
  data: { label: string; weighted: number; commit: number; bestCase: number; won: number }[];
  currency: string;
}) {
  return (
    <Frame label="Bar chart of weighted, commit, best case and won amounts per month; the numbers are in the table">
      <BarChart accessibilityLayer={false} data={data} margin={{ top: 8, right: 8, bottom: 0, left: 0 }}>
        <CartesianGrid strokeDasharray="3 3" vertical={false} />
        <XAxis dataKey="label" tick={{ fontSize: 12 }} />
        <YAxis tickFormatter={compactNumber} width={48} tick={{ fontSize: 12 }} />
        <Tooltip formatter={money(currency)} />
        <Legend />
        <Bar dataKey="weighted" name="Weighted" fill={COLORS.primary} isAnimationActive={false} />
        <Bar dataKey="commit" name="Commit" fill={COLORS.light} isAnimationActive={false} />
        <Bar dataKey="bestCase" name="Best case" fill={COLORS.muted} isAnimationActive={false} />
        <Bar dataKey="won" name="Won" fill={COLORS.ok} isAnimationActive={false} />
      </BarChart>
    </Frame>
  );
}

export function SourcesChart({
  data,
  currency,
}: {
  data: { source: string; won: number; deals: number; leads: number }[];
  currency: string;
}) {
  return (
    <Frame label="Bar chart of the amount won from each source; the numbers are in the table">
      <BarChart accessibilityLayer={false} data={data} layout="vertical" margin={{ top: 8, right: 16, bottom: 0, left: 8 }}>
        <CartesianGrid strokeDasharray="3 3" horizontal={false} />
        <XAxis type="number" tickFormatter={compactNumber} tick={{ fontSize: 12 }} />
        <YAxis type="category" dataKey="source" width={110} tick={{ fontSize: 12 }} />
        <Tooltip formatter={money(currency)} />
        <Bar dataKey="won" name="Won" fill={COLORS.ok} isAnimationActive={false} />
      </BarChart>
    </Frame>
  );
}
