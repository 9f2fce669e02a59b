import type { AlgorithmDef, ColumnContext } from '../types.js';
import { canonical, codePoints, simple } from '../values.js';
import { textOut } from './common.js';
import { join3, stars, stringInput } from './partial.js';

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
  const n = at < 0 ? s.length : at; // the local part's length
  if (n <= 1) return s;
  if (simple(s)) {
    // The first character, stars, then the rest from the local part's last character (or from "@" when it has two).
    const end = n === 2 ? 2 : n - 1;
    return join3(s[0], stars(end - 1), s.slice(end));
  }
  const local = s.slice(0, n);
  const cps = codePoints(local);
  const k = cps.length;
  const masked = k <= 2 ? (k === 0 ? '' : cps[0] + '*'.repeat(k - 1)) : cps[0] + '*'.repeat(k - 2) + cps[k - 1];
  return at < 0 ? masked : masked + s.slice(at);
}

/** Two-digit starts of the ITU country calling codes of three digits (1 and 7 have one digit, the rest two). */
const CC3 = new Uint8Array(100);
for (const n of [21, 22, 23, 24, 25, 26, 29, 35, 37, 38, 42, 50, 59, 67, 68, 69, 80, 85, 87, 88, 96, 97, 99]) CC3[n] = 1;

const isDigit = (c: number) => c >= 48 && c <= 57;

const DIGITS = /[0-9]/g;

/**
 * `s` with every ASCII digit in [from, to) starred. Built from char codes in
 * one pass: cheaper than slicing and a regex replace, and the result is a
 * flat string (a concatenation would be a rope that the sink's escape test
 * then has to flatten). Long strings go the regex way (apply's argument limit).
 */
function starDigits(s: string, from: number, to: number): string {
  const len = s.length;
  if (len > 1024) return s.slice(0, from) + s.slice(from, to).replace(DIGITS, '*') + s.slice(to);
  const codes: number[] = new Array(len);
  for (let i = 0; i < len; i++) {
    const c = s.charCodeAt(i);
    codes[i] = i >= from && i < to && isDigit(c) ? 42 : c;
  }
  return String.fromCharCode.apply(null, codes);
}

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
    // The first two digits of the country code decide its length.
    let d1 = -1;
    let d2 = -1;
    for (let p = plus ? i + 1 : i + 2; p < len && d2 < 0; p++) {
      const c = s.charCodeAt(p);
      if (isDigit(c)) {
        if (d1 < 0) d1 = c - 48;
        else d2 = c - 48;
      }
    }
    cc = (d1 === 1 || d1 === 7 ? 1 : d2 >= 0 && CC3[d1 * 10 + d2] ? 3 : 2) + (plus ? 0 : 2);
  }
  // The group after the country code: digits up to the next separator, when there is one.
  let j = i;
  for (let seen = 0; j < len && seen < cc; j++) if (isDigit(s.charCodeAt(j))) seen++;
  while (j < len && !isDigit(s.charCodeAt(j))) j++;
  let k = j;
  while (k < len && isDigit(s.charCodeAt(k))) k++;
  const group = k - j;
  const keep = cc + (k < len && group >= 1 && group <= 4 ? group : Math.min(3, group));
  // Every digit after the first `keep` is starred.
  let cut = 0;
  for (let n = 0; cut < len; cut++) if (isDigit(s.charCodeAt(cut)) && n++ === keep) break;
  return cut >= len ? s : starDigits(s, cut, len);
}

/** Stars every digit but the last `keep`; separators stay. */
export function keepLastDigits(s: string, keep: number): string {
  // The position just after the digit that starts the last `keep`: everything before it loses its digits.
  let cut = s.length;
  for (let n = 0; cut > 0 && n < keep; ) if (isDigit(s.charCodeAt(--cut))) n++;
  if (cut === 0) return s;
  return starDigits(s, 0, cut);
}

export const format: AlgorithmDef[] = [
  formatAlgorithm('email', 'first and last character of the local part and the whole domain kept, the rest starred', maskEmail),
  formatAlgorithm('phone', 'country code and area code kept, other digits starred, separators kept', maskPhone),
  formatAlgorithm('credit_card', 'last 4 digits kept, other digits starred, separators kept', (s) => keepLastDigits(s, 4)),
  formatAlgorithm('ssn', 'last 4 digits kept, other digits starred, separators kept', (s) => keepLastDigits(s, 4)),
];
