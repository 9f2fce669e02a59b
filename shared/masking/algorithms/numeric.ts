import { describeType } from '../../logical-types.js';
import type { AlgorithmDef, ColumnContext, MaskFn } from '../types.js';
import { unitFromWords, wordsOf } from '../prf.js';
import { canonical, divFloor, divRound, formatDecimal, integerDigits, parseDecimal, pow10, rescale, type Dec } from '../values.js';
import { clamp, fromBig, intRange, isFloat, isInt, isNumeric, same, TEXT, toBig } from './common.js';

function numericInput(ctx: ColumnContext): string | null {
  if (!isNumeric(ctx.type)) return `${ctx.algorithm} applies to number columns, not to ${describeType(ctx.type)}`;
  if (isInt(ctx.type) && ctx.algorithm !== 'noise' && parseDecimal(String(ctx.param))!.scale > 0 && parseDecimal(String(ctx.param))!.units % pow10(parseDecimal(String(ctx.param))!.scale) !== 0n) {
    return `${ctx.algorithm}:${ctx.param} on an integer column needs a whole step`;
  }
  return null;
}

/** Largest |units| a decimal(p, s) holds at `scale`, or null when unbounded. */
function decimalLimit(ctx: ColumnContext, scale: number): bigint | null {
  if (ctx.type.kind !== 'decimal' || ctx.type.precision === undefined) return null;
  const intDigits = ctx.type.precision - (ctx.type.scale ?? 0);
  return pow10(intDigits + scale) - 1n;
}

function stepOf(ctx: ColumnContext): Dec {
  return parseDecimal(String(ctx.param))!;
}

function makeRound(ctx: ColumnContext): MaskFn {
  const step = stepOf(ctx);
  const t = ctx.type;
  if (isInt(t)) {
    const n = rescale(step, 0);
    const [lo, hi] = intRange(t);
    return (v) => {
      return fromBig(intoRange(divRound(toBig(v), n) * n, lo, hi, n), v);
    };
  }
  if (isFloat(t)) {
    const n = Number(String(ctx.param));
    return (v) => {
      const x = v as number;
      if (!Number.isFinite(x)) return x;
      const y = Math.round(x / n) * n;
      return t.kind === 'float32' ? Math.fround(y) : y;
    };
  }
  return (v) => {
    const d = parseDecimal(v as string);
    if (!d) return v;
    const scale = Math.max(d.scale, step.scale);
    const n = rescale(step, scale);
    let q = divRound(rescale(d, scale), n) * n;
    const limit = decimalLimit(ctx, scale);
    if (limit !== null) q = intoRange(q, -limit, limit, n);
    return formatDecimal({ units: q, scale: d.scale >= step.scale ? d.scale : scale });
  };
}

/** The nearest multiple-of-`n` step back inside [lo, hi] for a rounded value beyond it, in one step (n > 0). */
function intoRange(q: bigint, lo: bigint, hi: bigint, n: bigint): bigint {
  if (q > hi) return q - ((q - hi + n - 1n) / n) * n;
  if (q < lo) return q + ((lo - q + n - 1n) / n) * n;
  return q;
}

const TRAILING_ZEROS = /0+$/;
const MINUS_ZERO = /^-0$/;
const bound = (units: bigint, scale: number) => formatDecimal({ units, scale }).replace(MINUS_ZERO, '0');

function makeRange(ctx: ColumnContext): MaskFn {
  const step = stepOf(ctx);
  // A whole step on whole values needs no decimal scaling: the same bounds by plain integer arithmetic.
  const whole = step.scale === 0;
  const nBig = step.units;
  const n = Number(nBig);
  return (v) => {
    if (whole) {
      // |v| + 2n ≤ 2^53: v % n and the bounds are exact in doubles.
      if (typeof v === 'number' && Number.isInteger(v) && Math.abs(v) <= 2 ** 52 && n <= 2 ** 51) {
        const r = v % n;
        const lo = v - r - (r < 0 ? n : 0);
        return `${lo}-${lo + n}`;
      }
      if (typeof v === 'bigint') {
        const lo = divFloor(v, nBig) * nBig;
        return `${lo}-${lo + nBig}`;
      }
    }
    const text = typeof v === 'number' && Number.isFinite(v) && !Number.isInteger(v) ? v.toFixed(20).replace(TRAILING_ZEROS, '') : canonical(v);
    const d = parseDecimal(text);
    if (!d) return text; // NaN, ±Infinity
    const scale = Math.max(d.scale, step.scale);
    const sn = rescale(step, scale);
    const lo = divFloor(rescale(d, scale), sn) * sn;
    return `${bound(rescale({ units: lo, scale }, step.scale), step.scale)}-${bound(rescale({ units: lo + sn, scale }, step.scale), step.scale)}`;
  };
}

const NOISE_ONE = 10n ** 12n;

function makeNoise(ctx: ColumnContext): MaskFn {
  const f = ctx.param as number;
  const words = wordsOf(ctx.prf, `noise|${ctx.column}|`);
  const t = ctx.type;
  /** 1 ± f, from the PRF. */
  const factor = (v: unknown) => 1 + (2 * unitFromWords(words(canonical(v))) - 1) * f;
  if (isInt(t)) {
    const range = intRange(t);
    const [lo, hi] = [Number(range[0]), Number(range[1])];
    return (v) => {
      // int16/int32 arrive as numbers: exact in float64 (|x × factor| < 2^33).
      if (typeof v === 'number') return Math.min(hi, Math.max(lo, Math.round(v * factor(v))));
      return fromBig(clamp(divRound(toBig(v) * BigInt(Math.round(factor(v) * 1e12)), NOISE_ONE), range), v);
    };
  }
  if (isFloat(t)) {
    return (v) => {
      const x = v as number;
      if (!Number.isFinite(x)) return x;
      const y = x * factor(v);
      return t.kind === 'float32' ? Math.fround(y) : y;
    };
  }
  return (v) => {
    const d = parseDecimal(v as string);
    if (!d) return v;
    let u = divRound(d.units * BigInt(Math.round(factor(v) * 1e12)), NOISE_ONE);
    const limit = decimalLimit(ctx, d.scale);
    if (limit !== null) u = clamp(u, [-limit, limit]);
    return formatDecimal({ units: u, scale: d.scale });
  };
}

export const numeric: AlgorithmDef[] = [
  {
    name: 'round',
    param: 'step',
    summary: 'the nearest multiple of N, same type (kept inside the type\'s range)',
    output: (ctx) => numericInput(ctx) ?? same(ctx),
    make: makeRound,
  },
  {
    name: 'range',
    param: 'step',
    summary: 'the bucket of width N holding the value, as text "40000-50000" (lower bound included)',
    output: (ctx) => numericInput(ctx) ?? TEXT,
    make: makeRange,
  },
  {
    name: 'noise',
    param: 'fraction',
    salted: true,
    summary: 'the value times (1 ± up to F), same type, fixed per input value by the salt',
    output: (ctx) => numericInput(ctx) ?? same(ctx),
    make: makeNoise,
  },
];

export { integerDigits };
