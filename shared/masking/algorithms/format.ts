import type { AlgorithmDef, ColumnContext } from '../types.js';
import { canonical, codePoints } from '../values.js';
import { textOut } from './common.js';
import { stringInput } from './partial.js';

/**
 * Format-preserving masks: the output has the input's length and layout
 * (separators stay where they were), so it fits the same column and still
 * looks like what it was.
 */
const formatAlgorithm = (name: string, summary: string, fn: (s: string) => string): AlgorithmDef => ({
  name,
  param: 'none',
  summary,
  output: (ctx: ColumnContext) => stringInput(ctx) ?? textOut(ctx, true),
  make: () => (v) => fn(typeof v === 'string' ? v : canonical(v)),
});

/** "alice.smith@example.com" → "a*********h@example.com"; a value without "@" keeps its first and last character. */
export function maskEmail(s: string): string {
  const at = s.lastIndexOf('@');
  const local = at < 0 ? s : s.slice(0, at);
  const cps = codePoints(local);
  const n = cps.length;
  const masked = n <= 2 ? (n === 0 ? '' : cps[0] + '*'.repeat(n - 1)) : cps[0] + '*'.repeat(n - 2) + cps[n - 1];
  return at < 0 ? masked : masked + s.slice(at);
}

/** ITU country calling codes of one and three digits (the rest have two). */
const CC1 = /^[17]/;
const CC3 = /^(2[1-69]|3[578]|42|5[09]|6[7-9]|8[0578]|9[679])/;

/**
 * Keeps the country code (after a leading "+") and the area code, stars every
 * other digit, keeps separators. The area code is the next group of digits
 * when the number is written in groups, else the next three digits.
 */
export function maskPhone(s: string): string {
  let i = 0;
  const out: string[] = codePoints(s);
  // Skip leading blanks.
  while (i < out.length && /\s/.test(out[i])) i++;
  const digitsFrom = (from: number) => out.slice(from).filter((c) => c >= '0' && c <= '9').join('');
  let keep = 0; // digits to keep, counted from the first digit
  const intl = out[i] === '+' || (out[i] === '0' && out[i + 1] === '0');
  const all = digitsFrom(i);
  let cc = 0;
  if (intl) {
    const d = out[i] === '+' ? all : all.slice(2);
    cc = (CC1.test(d) ? 1 : CC3.test(d) ? 3 : 2) + (out[i] === '+' ? 0 : 2);
  }
  // The group after the country code: digits up to the next separator, when there is one.
  let seen = 0;
  let j = i;
  for (; j < out.length && seen < cc; j++) if (out[j] >= '0' && out[j] <= '9') seen++;
  while (j < out.length && !(out[j] >= '0' && out[j] <= '9')) j++;
  let group = 0;
  let k = j;
  while (k < out.length && out[k] >= '0' && out[k] <= '9') {
    group++;
    k++;
  }
  const grouped = k < out.length && group <= 4 && group >= 1;
  keep = cc + (grouped ? group : Math.min(3, group));
  // Star every digit after the first `keep`.
  let n = 0;
  for (let p = 0; p < out.length; p++) {
    if (out[p] >= '0' && out[p] <= '9') {
      if (n >= keep) out[p] = '*';
      n++;
    }
  }
  return out.join('');
}

/** Stars every digit but the last `keep`; separators stay. */
export function keepLastDigits(s: string, keep: number): string {
  const out = codePoints(s);
  let digits = 0;
  for (const c of out) if (c >= '0' && c <= '9') digits++;
  let n = 0;
  for (let p = 0; p < out.length; p++) {
    if (out[p] >= '0' && out[p] <= '9') {
      if (n < digits - keep) out[p] = '*';
      n++;
    }
  }
  return out.join('');
}

export const format: AlgorithmDef[] = [
  formatAlgorithm('email', 'first and last character of the local part and the whole domain kept, the rest starred', maskEmail),
  formatAlgorithm('phone', 'country code and area code kept, other digits starred, separators kept', maskPhone),
  formatAlgorithm('credit_card', 'last 4 digits kept, other digits starred, separators kept', (s) => keepLastDigits(s, 4)),
  formatAlgorithm('ssn', 'last 4 digits kept, other digits starred, separators kept', (s) => keepLastDigits(s, 4)),
];
