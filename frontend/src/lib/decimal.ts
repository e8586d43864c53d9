/**
 * Exact arithmetic on the API's decimal strings ("1500.00"), enough for the board's optimistic
 * totals: values are held as integers of millionths, so sums and probability weights do not drift
 * the way floats do, and a move followed by its reversal gives back the very same strings.
 */

const SCALE_DIGITS = 6;
const SCALE = 10n ** BigInt(SCALE_DIGITS);

export type Micros = bigint;

export function toMicros(value: string | number | null | undefined): Micros {
  if (value === null || value === undefined || value === '') return 0n;
  const text = typeof value === 'number' ? value.toFixed(SCALE_DIGITS) : value.trim();
  const match = /^([+-])?(\d*)(?:\.(\d*))?$/.exec(text);
  if (!match) return 0n;
  const [, sign, whole = '', frac = ''] = match;
  const fracDigits = (frac + '0'.repeat(SCALE_DIGITS)).slice(0, SCALE_DIGITS);
  const magnitude = BigInt(whole || '0') * SCALE + BigInt(fracDigits || '0');
  return sign === '-' ? -magnitude : magnitude;
}

/** Decimal places a decimal string is written with ("1500.00" -> 2). */
export function decimalPlaces(value: string | null | undefined): number {
  if (!value) return 0;
  const dot = value.indexOf('.');
  return dot < 0 ? 0 : value.length - dot - 1;
}

/** Back to a decimal string, with at least `minPlaces` decimals and no needless trailing zeros. */
export function fromMicros(value: Micros, minPlaces = 2): string {
  const negative = value < 0n;
  const magnitude = negative ? -value : value;
  const whole = magnitude / SCALE;
  let frac = (magnitude % SCALE).toString().padStart(SCALE_DIGITS, '0');
  while (frac.length > minPlaces && frac.endsWith('0')) frac = frac.slice(0, -1);
  const body = frac.length > 0 ? `${whole}.${frac}` : `${whole}`;
  return negative && magnitude !== 0n ? `-${body}` : body;
}

/** `amount × probability%` in millionths (exact for amounts of up to four decimals). */
export function weighted(amount: Micros, probability: number): Micros {
  return (amount * BigInt(Math.round(probability))) / 100n;
}
