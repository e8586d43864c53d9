/** Showing money: the API's decimal strings in the record's currency, in the reader's locale. */

const formatters = new Map<string, Intl.NumberFormat>();

function formatter(currency: string, locale: string | undefined): Intl.NumberFormat | null {
  const key = `${locale ?? ''}|${currency}`;
  let f = formatters.get(key);
  if (!f) {
    try {
      f = new Intl.NumberFormat(locale, { style: 'currency', currency });
    } catch {
      return null; // not an ISO 4217 code Intl knows
    }
    formatters.set(key, f);
  }
  return f;
}

/**
 * `formatMoney("1500.00", "USD")` -> `$1,500.00`; `null` -> `—`. The decimal string is handed to
 * Intl as a string, so large amounts are not rounded through a float; the currency's own minor
 * unit (0 for JPY) decides the decimals shown.
 */
export function formatMoney(
  amount: string | number | null | undefined,
  currency: string | null | undefined,
  locale: string | undefined = 'en-US',
): string {
  if (amount === null || amount === undefined || amount === '') return '—';
  const text = String(amount).trim();
  if (!/^[+-]?(\d+\.?\d*|\.\d+)$/.test(text)) return text;
  const code = (currency ?? '').toUpperCase();
  const f = code ? formatter(code, locale) : null;
  if (!f) return code ? `${text} ${code}` : text;
  // Intl formats numeric strings exactly (ES2023); the cast satisfies older lib typings.
  return f.format(text as unknown as number);
}

/** Several currencies' totals, e.g. `{"EUR": "1200.00"}` -> `€1,200.00`, joined by " + ". */
export function formatOtherCurrencies(totals: Record<string, string> | null | undefined, locale = 'en-US'): string {
  if (!totals) return '';
  return Object.entries(totals)
    .filter(([, v]) => v !== null && v !== undefined)
    .map(([code, v]) => formatMoney(v, code, locale))
    .join(' + ');
}

/** What a person typed as an amount ("1,500.5", "$1500") -> "1500.5", or null if it is not one. */
export function parseAmountInput(input: string): string | null {
  const cleaned = input.replace(/[\s,$€£¥]/g, '');
  if (cleaned === '') return null;
  return /^\d+(\.\d+)?$/.test(cleaned) ? cleaned : null;
}
