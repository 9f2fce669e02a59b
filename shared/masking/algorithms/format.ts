import type { AlgorithmDef, ColumnContext } from '../types.js';
import { canonical, codePoints, simple } from '../values.js';
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
  if (simple(local)) {
    const n = local.length;
    const masked = n <= 2 ? (n === 0 ? '' : local[0] + '*'.repeat(n - 1)) : local[0] + '*'.repeat(n - 2) + local[n - 1];
    return at < 0 ? masked : masked + s.slice(at);
  }
  const cps = codePoints(local);
  const n = cps.length;
  const masked = n <= 2 ? (n === 0 ? '' : cps[0] + '*'.repeat(n - 1)) : cps[0] + '*'.repeat(n - 2) + cps[n - 1];
  return at < 0 ? masked : masked + s.slice(at);
}

/** ITU country calling codes of one and three digits (the rest have two). */
const CC1 = /^[17]/;
const CC3 = /^(2[1-69]|3[578]|42|5[09]|6[7-9]|8[0578]|9[679])/;

const isDigit = (c: number) => c >= 48 && c <= 57;

/**
 * Keeps the country code (after a leading "+" or "00") and the area code,
 * stars every other digit, keeps separators. The area code is the next group
 * of digits when the number is written in groups, else the next three digits.
 * Digits are ASCII, so string indexes work whatever else the text holds.
 */
export function maskPhone(s: string): string {
  const len = s.length;
  let i = 0;
  while (i < len && (s.charCodeAt(i) === 32 || s.charCodeAt(i) === 9)) i++;
  let cc = 0;
  const plus = s.charCodeAt(i) === 43;
  if (plus || (s.charCodeAt(i) === 48 && s.charCodeAt(i + 1) === 48)) {
    // The first three digits of the country code decide its length.
    let d = '';
    for (let p = plus ? i + 1 : i + 2; p < len && d.length < 3; p++) if (isDigit(s.charCodeAt(p))) d += s[p];
    cc = (CC1.test(d) ? 1 : CC3.test(d) ? 3 : 2) + (plus ? 0 : 2);
  }
  // The group after the country code: digits up to the next separator, when there is one.
  let j = i;
  for (let seen = 0; j < len && seen < cc; j++) if (isDigit(s.charCodeAt(j))) seen++;
  while (j < len && !isDigit(s.charCodeAt(j))) j++;
  let k = j;
  while (k < len && isDigit(s.charCodeAt(k))) k++;
  const group = k - j;
  const keep = cc + (k < len && group >= 1 && group <= 4 ? group : Math.min(3, group));
  // Every digit after the first `keep` is starred (one regex pass: fewer strings than piecing it together).
  let cut = 0;
  for (let n = 0; cut < len; cut++) if (isDigit(s.charCodeAt(cut)) && n++ === keep) break;
  return cut >= len ? s : s.slice(0, cut) + s.slice(cut).replace(DIGITS, '*');
}

const DIGITS = /[0-9]/g;

/** Stars every digit but the last `keep`; separators stay. */
export function keepLastDigits(s: string, keep: number): string {
  // The position just after the digit that starts the last `keep`: everything before it loses its digits.
  let cut = s.length;
  for (let n = 0; cut > 0 && n < keep; ) if (isDigit(s.charCodeAt(--cut))) n++;
  if (cut === 0) return s;
  return s.slice(0, cut).replace(DIGITS, '*') + s.slice(cut);
}

export const format: AlgorithmDef[] = [
  formatAlgorithm('email', 'first and last character of the local part and the whole domain kept, the rest starred', maskEmail),
  formatAlgorithm('phone', 'country code and area code kept, other digits starred, separators kept', maskPhone),
  formatAlgorithm('credit_card', 'last 4 digits kept, other digits starred, separators kept', (s) => keepLastDigits(s, 4)),
  formatAlgorithm('ssn', 'last 4 digits kept, other digits starred, separators kept', (s) => keepLastDigits(s, 4)),
];
