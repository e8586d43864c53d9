import { describe, expect, it } from 'vitest';
import { formatMoney, formatOtherCurrencies, parseAmountInput } from './money';
import { fromMicros, toMicros, weighted } from './decimal';

describe('formatMoney', () => {
  it('formats decimal strings in the currency', () => {
    expect(formatMoney('1500.00', 'USD')).toBe('$1,500.00');
    expect(formatMoney('0', 'USD')).toBe('$0.00');
    expect(formatMoney(1234.5, 'EUR')).toBe('€1,234.50');
  });

  it("uses the currency's minor unit", () => {
    expect(formatMoney('1500', 'JPY')).toBe('¥1,500');
  });

  it('keeps large amounts exact (no float rounding)', () => {
    expect(formatMoney('12345678901234567.89', 'USD')).toBe('$12,345,678,901,234,567.89');
  });

  it('shows a dash for no amount and falls back for unknown codes', () => {
    expect(formatMoney(null, 'USD')).toBe('—');
    expect(formatMoney('', 'USD')).toBe('—');
    expect(formatMoney('10.00', 'XXXX')).toBe('10.00 XXXX');
    expect(formatMoney('10.00', null)).toBe('10.00');
  });

  it('formats totals in other currencies', () => {
    expect(formatOtherCurrencies({ EUR: '1200.00', GBP: '5.5' })).toBe('€1,200.00 + £5.50');
    expect(formatOtherCurrencies(undefined)).toBe('');
  });
});

describe('parseAmountInput', () => {
  it('accepts what people type', () => {
    expect(parseAmountInput('1,500.50')).toBe('1500.50');
    expect(parseAmountInput('$ 200')).toBe('200');
    expect(parseAmountInput('')).toBeNull();
    expect(parseAmountInput('abc')).toBeNull();
  });
});

describe('decimal', () => {
  it('adds and weights exactly', () => {
    expect(fromMicros(toMicros('0.10') + toMicros('0.20'), 2)).toBe('0.30');
    expect(fromMicros(weighted(toMicros('250.50'), 25), 2)).toBe('62.625');
    expect(fromMicros(toMicros('-12.5'), 2)).toBe('-12.50');
    expect(fromMicros(toMicros('7'), 0)).toBe('7');
  });
});
