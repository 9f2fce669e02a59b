/**
 * Helpers over Nilus' value representations (see shared/logical-types.ts):
 * canonical text for hashing, exact decimal arithmetic on strings, and
 * calendar arithmetic on ISO dates with astronomical years of any size.
 */

/** One text per value, the same on every run: what hashes and the PRF see. */
export function canonical(v: unknown): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return Number.isNaN(v) ? 'NaN' : String(v);
  if (typeof v === 'bigint' || typeof v === 'boolean') return String(v);
  if (v instanceof Uint8Array) return Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('hex');
  if (Array.isArray(v)) return '[' + v.map((x) => (x === null || x === undefined ? 'null' : JSON.stringify(canonical(x)))).join(',') + ']';
  return JSON.stringify(v);
}

const SURROGATE = /[\uD800-\uDFFF]/;

/** True when every character is one UTF-16 unit (string indexes are character indexes). */
export const simple = (s: string): boolean => !SURROGATE.test(s);

/** Code points of a string (so a character outside the BMP counts once, as the databases count it). */
export function codePoints(s: string): string[] {
  return simple(s) ? s.split('') : Array.from(s);
}

/** Characters (code points) of a string. */
export function charLength(s: string): number {
  if (simple(s)) return s.length;
  let n = 0;
  for (const _ of s) n++;
  return n;
}

// ---- decimals: exact strings as scaled bigints --------------------------------

export interface Dec {
  /** value × 10^scale */
  units: bigint;
  scale: number;
}

/**
 * "12.50" → {1250n, 2}; null for NaN, ±Infinity or anything else that is not a plain decimal.
 * By char codes: what /^([+-]?)(\d*)(?:\.(\d*))?$/ with at least one digit accepts; up to 15
 * digits the units are summed exactly in a double rather than parsed from a string.
 */
export function parseDecimal(s: string): Dec | null {
  const len = s.length;
  const c0 = s.charCodeAt(0);
  const start = c0 === 43 || c0 === 45 ? 1 : 0; // "+", "-"
  let dot = -1;
  let digits = 0;
  let sum = 0;
  for (let i = start; i < len; i++) {
    const c = s.charCodeAt(i);
    if (c === 46 && dot < 0) dot = i;
    else if (c >= 48 && c <= 57) {
      digits++;
      sum = sum * 10 + c - 48;
    } else return null;
  }
  if (digits === 0) return null;
  const units = digits <= 15 ? BigInt(sum) : BigInt(dot < 0 ? s.slice(start) : s.slice(start, dot) + s.slice(dot + 1));
  return { units: c0 === 45 ? -units : units, scale: dot < 0 ? 0 : len - dot - 1 };
}

export function formatDecimal(d: Dec): string {
  const neg = d.units < 0n;
  let digits = (neg ? -d.units : d.units).toString();
  if (d.scale === 0) return (neg ? '-' : '') + digits;
  digits = digits.padStart(d.scale + 1, '0');
  return `${neg ? '-' : ''}${digits.slice(0, -d.scale)}.${digits.slice(-d.scale)}`;
}

/** Powers of ten a decimal column can need, made once (a bigint power per value costs more than the rest of a mask). */
const POW10 = Array.from({ length: 128 }, (_, i) => 10n ** BigInt(i));
export const pow10 = (n: number): bigint => POW10[n] ?? 10n ** BigInt(n);

export function rescale(d: Dec, scale: number): bigint {
  if (scale >= d.scale) return d.units * pow10(scale - d.scale);
  return divRound(d.units, pow10(d.scale - scale));
}

/** a / b rounded half away from zero (b > 0). */
export function divRound(a: bigint, b: bigint): bigint {
  const q = a / b;
  const r = a % b;
  if (2n * (r < 0n ? -r : r) >= b) return a < 0n ? q - 1n : q + 1n;
  return q;
}

/** floor(a / b) for b > 0. */
export function divFloor(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b !== 0n && a < 0n ? q - 1n : q;
}

/** Digits before the decimal point of |units / 10^scale|. */
export function integerDigits(units: bigint, scale: number): number {
  const i = (units < 0n ? -units : units) / pow10(scale);
  return i === 0n ? 0 : i.toString().length;
}

// ---- dates: proleptic Gregorian, astronomical years, any size ------------------

/** Days since 1970-01-01 (Howard Hinnant's days_from_civil). */
export function daysFromCivil(y: number, m: number, d: number): number {
  y -= m <= 2 ? 1 : 0;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

export function civilFromDays(z: number): [number, number, number] {
  z += 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp + (mp < 10 ? 3 : -9);
  return [era * 400 + yoe + (m <= 2 ? 1 : 0), m, d];
}

const isDigit = (c: number) => c >= 48 && c <= 57;

/**
 * Splits "YYYY-MM-DD…" into its date and whatever follows (time, zone); null for 'infinity' and non-dates.
 * By char codes: what /^(-?\d{4,})-(\d{2})-(\d{2})/ matches, several times cheaper than the regex.
 */
export function splitDate(s: string): { y: number; m: number; d: number; rest: string } | null {
  const len = s.length;
  const y0 = s.charCodeAt(0) === 45 ? 1 : 0; // "-"
  let i = y0;
  let y = 0;
  for (let c; i < len && isDigit((c = s.charCodeAt(i))); i++) y = y * 10 + c - 48;
  if (i - y0 < 4 || i + 6 > len || s.charCodeAt(i) !== 45 || s.charCodeAt(i + 3) !== 45) return null;
  const m1 = s.charCodeAt(i + 1);
  const m2 = s.charCodeAt(i + 2);
  const d1 = s.charCodeAt(i + 4);
  const d2 = s.charCodeAt(i + 5);
  if (!isDigit(m1) || !isDigit(m2) || !isDigit(d1) || !isDigit(d2)) return null;
  // Beyond 15 digits the running sum could round differently from Number's parse.
  if (i - y0 > 15) y = Number(s.slice(y0, i));
  // -y for a "-" year (so "-0000" gives -0, as Number("-0000") does).
  return { y: y0 ? -y : y, m: (m1 - 48) * 10 + m2 - 48, d: (d1 - 48) * 10 + d2 - 48, rest: i + 6 === len ? '' : s.slice(i + 6) };
}

/** 0 … 99 as two digits. */
export const PAD2: readonly string[] = Array.from({ length: 100 }, (_, i) => String(i).padStart(2, '0'));

export function formatYear(y: number): string {
  return y < 0 ? `-${String(-y).padStart(4, '0')}` : y >= 1000 ? String(y) : String(y).padStart(4, '0');
}

/** "YYYY-MM-DD"; by `+` on purpose: under 13 characters V8 makes a flat string, not a rope. */
export function formatDate(y: number, m: number, d: number): string {
  return formatYear(y) + '-' + PAD2[m] + '-' + PAD2[d];
}
