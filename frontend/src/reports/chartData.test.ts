import { describe, expect, it } from 'vitest';
import { amount, compactNumber, forecastSeries, funnelSeries, periodLabel, sourcesSeries, wonSeries } from './chartData';

describe('chart data', () => {
  it('reads decimal strings as numbers, nothing as zero', () => {
    expect(amount('1500.50')).toBe(1500.5);
    expect(amount(null)).toBe(0);
    expect(amount('n/a')).toBe(0);
  });

  it('labels weeks by their Monday and months by name', () => {
    expect(periodLabel('2026-11-23', 'week')).toBe('23 Nov');
    expect(periodLabel('2026-11-01', 'month')).toBe('Nov 2026');
    expect(periodLabel('2026-02', 'month')).toBe('Feb 2026');
    expect(periodLabel('soon', 'week')).toBe('soon');
  });

  it('turns won points into bars', () => {
    expect(
      wonSeries({
        interval: 'week',
        points: [{ period_start: '2026-11-02', won_count: 2, won_amount: '3000.00', other_currencies: {} }],
      }),
    ).toEqual([{ label: '2 Nov', amount: 3000, count: 2 }]);
  });

  it('leaves lost stages out of the funnel', () => {
    const stage = (name: string, kind: 'open' | 'won' | 'lost', reached: number) => ({
      stage_id: name,
      name,
      kind,
      position: 0,
      entered: reached,
      reached,
      converted_to_next: null,
      conversion_rate: null,
      median_days_in_stage: null,
      p90_days_in_stage: null,
    });
    expect(
      funnelSeries({ stages: [stage('Prospect', 'open', 10), stage('Won', 'won', 3), stage('Lost', 'lost', 4)] }).map((s) => s.stage),
    ).toEqual(['Prospect', 'Won']);
  });

  it('gives a past month without a forecast zero bars, not gaps', () => {
    const [m] = forecastSeries({
      months: [
        {
          month: '2026-10',
          weighted: null,
          best_case: null,
          commit: null,
          closed_won: '1200.00',
          forecast_at_start: null,
          other_currencies: {},
        },
      ],
    });
    expect(m).toEqual({ label: 'Oct 2026', weighted: 0, commit: 0, bestCase: 0, won: 1200 });
  });

  it('shortens axis numbers', () => {
    expect(compactNumber(1500)).toBe('1.5K');
    expect(compactNumber(2_000_000)).toBe('2M');
  });
  it('ranks sources by what they won, then by deals', () => {
    const row = (source: string, won_amount: string, deals: number) => ({
      source,
      leads: 1,
      deals,
      won_count: 0,
      lost_count: 0,
      won_amount,
      win_rate: null,
      avg_days_to_close: null,
      other_currencies: {},
    });
    expect(
      sourcesSeries({ sources: [row('web', '0.00', 3), row('referral', '1200.00', 1), row('event', '0.00', 5)] }).map((s) => [
        s.source,
        s.won,
      ]),
    ).toEqual([
      ['referral', 1200],
      ['event', 0],
      ['web', 0],
    ]);
  });
});
