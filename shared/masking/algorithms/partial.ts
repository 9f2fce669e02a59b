import { describeType } from '../../logical-types.js';
import type { AlgorithmDef, ColumnContext, MaskFn } from '../types.js';
import { canonical, charLength, codePoints, parseDecimal, simple } from '../values.js';
import { isDateLike, isFloat, isInt, intRange, same, textOut, TEXT } from './common.js';

/**
 * A run of stars made flat once (a repeat is a rope): short runs are slices of
 * it, which the sink's escape test reads without first copying them flat.
 */
const STAR_RUN = Buffer.alloc(4096, '*').toString('latin1');
/** n stars. */
export const stars = (n: number): string => (n <= STAR_RUN.length ? STAR_RUN.slice(0, n) : '*'.repeat(n));

/**
 * Pieces joined into one flat string. A `+` concatenation is a rope, and the
 * sink's escape test (a regex) then flattens it in the runtime, which costs
 * more than joining flat to begin with.
 */
export const join2 = (a: string, b: string): string => [a, b].join('');
export const join3 = (a: string, b: string, c: string): string => [a, b, c].join('');

/** Keeps `head` leading and `tail` trailing code points, stars in between (same length). */
function starsBetween(s: string, head: number, tail: number): string {
  const cps = simple(s) ? null : codePoints(s);
  const n = cps ? cps.length : s.length;
  const h = Math.min(head, n);
  const t = head + tail >= n ? 0 : tail;
  const mid = stars(n - h - t);
  if (h === 0 && t === 0) return mid;
  const first = cps ? cps.slice(0, h).join('') : s.slice(0, h);
  const last = t === 0 ? '' : cps ? cps.slice(n - t).join('') : s.slice(n - t);
  return join3(first, mid, last);
}

/** String algorithms take any scalar through its canonical text; arrays and binary data are refused. */
export function stringInput(ctx: ColumnContext): string | null {
  if (ctx.type.kind === 'array' || ctx.type.kind === 'bytes') return `it applies to text, not to ${describeType(ctx.type)}`;
  return null;
}

const stringAlgorithm = (name: string, summary: string, param: AlgorithmDef['param'], fn: (ctx: ColumnContext) => (s: string) => string): AlgorithmDef => ({
  name,
  param,
  summary,
  output: (ctx) => stringInput(ctx) ?? textOut(ctx, true),
  make: (ctx) => {
    const f = fn(ctx);
    return (v) => f(typeof v === 'string' ? v : canonical(v));
  },
});

export const partial: AlgorithmDef[] = [
  stringAlgorithm('partial', 'first and last N characters kept, the rest starred (same length); a value of 2N characters or fewer keeps only its first third', 'count', (ctx) => {
    const n = ctx.param as number;
    return (s) => {
      if (simple(s)) {
        const len = s.length;
        if (len > 2 * n) return join3(s.slice(0, n), stars(len - 2 * n), s.slice(len - n));
        const head = Math.floor(len / 3);
        return head === 0 ? stars(len) : join2(s.slice(0, head), stars(len - head));
      }
      const len = charLength(s);
      return len > 2 * n ? starsBetween(s, n, n) : starsBetween(s, Math.floor(len / 3), 0);
    };
  }),
  stringAlgorithm('first_letter', 'the first character kept, the rest starred (same length)', 'none', () => (s) => starsBetween(s, 1, 0)),
  stringAlgorithm('stars', 'every character starred (same length)', 'none', () => (s) => stars(charLength(s))),
  {
    name: 'fixed',
    param: 'text',
    summary: 'the given value, which must be a valid value of the column type',
    output: (ctx) => {
      const r = fixedValue(ctx);
      if (typeof r === 'string') return r;
      if (ctx.type.kind === 'text' && ctx.type.length !== undefined && codePoints(String(ctx.param)).length > ctx.type.length) return TEXT;
      return same(ctx);
    },
    make: (ctx) => {
      const { value } = fixedValue(ctx) as { value: unknown };
      return (): unknown => value;
    },
  },
];

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The fixed parameter as a value of the column's type, or why it is not one. */
function fixedValue(ctx: ColumnContext): { value: unknown } | string {
  const p = String(ctx.param);
  const t = ctx.type;
  const bad = `"${p}" is not a valid ${describeType(t)} value`;
  if (t.kind === 'text' || t.kind === 'interval' || t.kind === 'time') return { value: p };
  if (isInt(t)) {
    if (!/^[+-]?\d+$/.test(p)) return bad;
    const b = BigInt(p);
    const [lo, hi] = intRange(t);
    if (b < lo || b > hi) return `${p} is out of range for ${describeType(t)}`;
    return { value: t.kind === 'int16' || t.kind === 'int32' ? Number(b) : b };
  }
  if (isFloat(t)) {
    const n = Number(p);
    return Number.isNaN(n) && p !== 'NaN' ? bad : { value: t.kind === 'float32' ? Math.fround(n) : n };
  }
  if (t.kind === 'decimal') return parseDecimal(p) || p === 'NaN' ? { value: p } : bad;
  if (t.kind === 'bool') return /^(true|t|1)$/i.test(p) ? { value: true } : /^(false|f|0)$/i.test(p) ? { value: false } : bad;
  if (t.kind === 'uuid') return UUID_RE.test(p) ? { value: p.toLowerCase() } : bad;
  if (t.kind === 'enum') return t.values.includes(p) ? { value: p } : `"${p}" is not a label of the enum (${t.values.join(', ')})`;
  if (t.kind === 'json') {
    try {
      JSON.parse(p);
      return { value: p };
    } catch {
      return bad;
    }
  }
  if (isDateLike(t)) {
    const re = t.kind === 'date' ? /^-?\d{4,}-\d{2}-\d{2}$/ : t.kind === 'timestamp' ? /^-?\d{4,}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?$/ : /^-?\d{4,}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z$/;
    return re.test(p) ? { value: p } : `${bad} (write ${t.kind === 'date' ? 'YYYY-MM-DD' : t.kind === 'timestamp' ? 'YYYY-MM-DDTHH:MM:SS' : 'YYYY-MM-DDTHH:MM:SSZ'})`;
  }
  return `fixed does not apply to ${describeType(t)}`;
}

export type { MaskFn };
