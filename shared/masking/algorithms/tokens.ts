import { describeType } from '../../logical-types.js';
import type { AlgorithmDef, ColumnContext, MaskFn } from '../types.js';
import { Sfc32, unitFromWords, wordsOf } from '../prf.js';
import { canonical, civilFromDays, codePoints, daysFromCivil, formatDate, integerDigits, PAD2, parseDecimal, formatDecimal, pow10, splitDate } from '../values.js';
import { clamp, fromBig, intRange, INT64, isFloat, isInt, same, toBig, UUID } from './common.js';

/** A UUID (version 8, "custom") from 128 bits of a PRF output. */
export function uuidFromHex(h: string): string {
  const variant = ((parseInt(h[16], 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-8${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** Hex digits of the digest (0…31) at each of a UUID's 36 places; -1 for a dash. */
const UUID_LAYOUT = [0, 1, 2, 3, 4, 5, 6, 7, -1, 8, 9, 10, 11, -1, 12, 13, 14, 15, -1, 16, 17, 18, 19, -1, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31];
const HEX_DIGITS = Array.from('0123456789abcdef', (c) => c.charCodeAt(0));
const uuidText = Buffer.alloc(36);

/** uuidFromHex of the digest's hex, from its words: written as ASCII and read back as one flat string. */
export function uuidFromWords(w: Int32Array): string {
  for (let p = 0; p < 36; p++) {
    const j = UUID_LAYOUT[p];
    if (j < 0) {
      uuidText[p] = 45; // "-"
      continue;
    }
    const nibble = (w[j >> 3] >>> (28 - ((j & 7) << 2))) & 15;
    uuidText[p] = HEX_DIGITS[j === 12 ? 8 : j === 16 ? (nibble & 0x3) | 0x8 : nibble];
  }
  return uuidText.toString('latin1', 0, 36);
}

const LOWER = 'abcdefghijklmnopqrstuvwxyz';
const UPPER = LOWER.toUpperCase();

/** Same length and shape: letters stay letters (of the same case), digits stay digits, the rest stays. */
function randomText(s: string, rnd: Sfc32): string {
  const len = s.length;
  // Long text the simple way (String.fromCharCode.apply has an argument limit).
  if (len > 1024) return randomTextLong(s, rnd);
  // Char codes in one pass, one flat string out; ASCII decided by code, the rest per code point as randomTextLong does.
  const out: number[] = [];
  for (let i = 0; i < len; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) {
      out.push(c >= 48 && c <= 57 ? 48 + Math.floor(rnd.next() * 10) : c >= 65 && c <= 90 ? 65 + Math.floor(rnd.next() * 26) : c >= 97 && c <= 122 ? 97 + Math.floor(rnd.next() * 26) : c);
      continue;
    }
    // A surrogate pair is one code point (a lone surrogate stays one unit, as the string iterator has it).
    const pair = c >= 0xd800 && c <= 0xdbff && i + 1 < len && s.charCodeAt(i + 1) >= 0xdc00 && s.charCodeAt(i + 1) <= 0xdfff;
    const cp = pair ? s.slice(i, i + 2) : s[i];
    if (cp.toLowerCase() !== cp.toUpperCase()) out.push((cp === cp.toUpperCase() ? 65 : 97) + Math.floor(rnd.next() * 26)); // other scripts' letters
    else if (pair) out.push(c, s.charCodeAt(i + 1));
    else out.push(c);
    if (pair) i++;
  }
  return String.fromCharCode.apply(null, out);
}

function randomTextLong(s: string, rnd: Sfc32): string {
  const cps = codePoints(s);
  for (let i = 0; i < cps.length; i++) {
    const c = cps[i];
    if (c >= '0' && c <= '9') cps[i] = String.fromCharCode(48 + Math.floor(rnd.next() * 10));
    else if (c >= 'A' && c <= 'Z') cps[i] = UPPER[Math.floor(rnd.next() * 26)];
    else if (c >= 'a' && c <= 'z') cps[i] = LOWER[Math.floor(rnd.next() * 26)];
    else if (c.toLowerCase() !== c.toUpperCase()) cps[i] = (c === c.toUpperCase() ? UPPER : LOWER)[Math.floor(rnd.next() * 26)]; // other scripts' letters
  }
  return cps.join('');
}

/** A bigint in [lo, hi] from a PRF output (128 bits: the bias is negligible). */
function bigBetween(hex: string, lo: bigint, hi: bigint): bigint {
  return lo + (BigInt('0x' + hex.slice(32, 64)) % (hi - lo + 1n));
}

/** Same sign and as many digits as |x| (0 counts as one digit). */
function sameDigits(x: bigint, hex: string): bigint {
  const neg = x < 0n;
  const k = (neg ? -x : x).toString().length;
  const lo = k === 1 ? 0n : pow10(k - 1);
  const y = bigBetween(hex, lo, pow10(k) - 1n);
  return neg ? -y : y;
}

/**
 * sameDigits for |x| < 2^31, in doubles, from the digest's words: the 128
 * bits bigBetween reads (hex digits 32…63 = words 4…7) reduced mod the range
 * 16 bits at a time, which stays exact (range < 2^37, so every step < 2^53).
 */
function sameDigitsSmall(x: number, w: Int32Array): number {
  const neg = x < 0;
  const k = String(neg ? -x : x).length;
  const lo = k === 1 ? 0 : 10 ** (k - 1);
  const m = 10 ** k - lo;
  let r = 0;
  for (let j = 4; j < 8; j++) {
    r = (r * 65536 + (w[j] >>> 16)) % m;
    r = (r * 65536 + (w[j] & 0xffff)) % m;
  }
  const y = lo + r;
  return neg && y !== 0 ? -y : y; // never -0: the bigint path has none
}

/** A timestamp's time after its date (fraction and zone apart), and a time of day. */
const AFTER_DATE = /^T(\d{2}:\d{2}:\d{2})(\.\d+)?(.*)$/;
const TIME = /^(\d{2}:\d{2}:\d{2})(\.\d+)?(.*)$/;

const DAY_1900 = daysFromCivil(1900, 1, 1);
const DAY_2100 = daysFromCivil(2100, 1, 1);

function randomTime(rnd: Sfc32, fraction: string): string {
  const secs = Math.floor(rnd.next() * 86400);
  let frac = '';
  if (fraction) {
    frac = '.';
    for (let i = 1; i < fraction.length; i++) frac += Math.floor(rnd.next() * 10);
  }
  return `${PAD2[Math.floor(secs / 3600)]}:${PAD2[Math.floor(secs / 60) % 60]}:${PAD2[secs % 60]}${frac}`;
}

/** Why `random` does not apply to a type, or null. */
function randomUnsupported(ctx: ColumnContext): string | null {
  const k = ctx.type.kind;
  if (k === 'array' || k === 'json' || k === 'interval') return `random does not apply to ${describeType(ctx.type)}`;
  return null;
}

function makeRandom(ctx: ColumnContext): MaskFn {
  const { prf, column } = ctx;
  const t = ctx.type;
  const pre = `random|${column}|`;
  const h = (v: unknown) => prf.hex(pre + canonical(v));
  const words = wordsOf(prf, pre);
  const w = (v: unknown) => words(canonical(v));
  // One generator per column, reseeded per value.
  const rng = new Sfc32();
  if (isInt(t)) {
    const range = intRange(t);
    const [lo, hi] = [Number(range[0]), Number(range[1])];
    return (v) => {
      // int16/int32 arrive as numbers: the same arithmetic without bigints.
      if (typeof v === 'number' && Math.abs(v) < 2 ** 31) return Math.min(hi, Math.max(lo, sameDigitsSmall(Math.trunc(v), w(v))));
      return fromBig(clamp(sameDigits(toBig(v), h(v)), range), v);
    };
  }
  if (isFloat(t)) {
    return (v) => {
      const x = v as number;
      if (!Number.isFinite(x)) return x;
      const mag = x === 0 ? 1 : 10 ** Math.ceil(Math.log10(Math.abs(x)) + 1e-12);
      const y = Math.sign(x || 1) * unitFromWords(w(v)) * mag;
      return t.kind === 'float32' ? Math.fround(y) : y;
    };
  }
  if (t.kind === 'decimal') {
    return (v) => {
      const d = parseDecimal(v as string);
      if (!d) return v; // NaN, ±Infinity
      // As many integer digits (the first not 0) and the same scale.
      const k = integerDigits(d.units, d.scale);
      const hex = h(v);
      const int = k === 0 ? 0n : bigBetween(hex, pow10(k - 1), pow10(k) - 1n);
      const frac = d.scale === 0 ? 0n : BigInt('0x' + hex.slice(0, 32)) % pow10(d.scale);
      const y = int * pow10(d.scale) + frac;
      return formatDecimal({ units: d.units < 0n ? -y : y, scale: d.scale });
    };
  }
  if (t.kind === 'bool') return (v) => unitFromWords(w(v)) < 0.5;
  if (t.kind === 'uuid') return (v) => uuidFromWords(w(v));
  if (t.kind === 'enum') {
    const labels = t.values;
    return (v) => (labels.length ? labels[Math.floor(unitFromWords(w(v)) * labels.length)] : v);
  }
  if (t.kind === 'bytes') {
    return (v) => {
      const rnd = rng.seedFromWords(w(v));
      const src = v as Uint8Array;
      const out = new Uint8Array(src.length);
      for (let i = 0; i < out.length; i++) out[i] = Math.floor(rnd.next() * 256);
      return out;
    };
  }
  if (t.kind === 'date' || t.kind === 'timestamp' || t.kind === 'timestamptz') {
    return (v) => {
      const s = v as string;
      const parts = splitDate(s);
      if (!parts) return s; // ±infinity
      const rnd = rng.seedFromWords(w(v));
      const [y, m, d] = civilFromDays(DAY_1900 + Math.floor(rnd.next() * (DAY_2100 - DAY_1900)));
      if (t.kind === 'date') return formatDate(y, m, d);
      const tm = AFTER_DATE.exec(parts.rest);
      return formatDate(y, m, d) + 'T' + randomTime(rnd, tm?.[2] ?? '') + (tm?.[3] ?? '');
    };
  }
  if (t.kind === 'time') {
    return (v) => {
      const s = v as string;
      const tm = TIME.exec(s);
      return tm ? randomTime(rng.seedFromWords(w(v)), tm[2] ?? '') + tm[3] : s;
    };
  }
  // text
  return (v) => randomText(typeof v === 'string' ? v : canonical(v), rng.seedFromWords(w(v)));
}

export const tokens: AlgorithmDef[] = [
  {
    name: 'uuid',
    param: 'none',
    salted: true,
    keySafe: true,
    summary: 'a UUID derived from the value and the salt (the same value gives the same UUID in every column, so masked keys still join)',
    output: () => UUID,
    make: (ctx) => {
      const words = wordsOf(ctx.prf, 'uuid|');
      return (v) => uuidFromWords(words(canonical(v)));
    },
  },
  {
    name: 'sequential',
    param: 'text',
    paramOptional: true,
    salted: true,
    keySafe: true,
    async: true,
    summary: '1, 2, 3 … in order of first appearance, per column (or per the named scope, shared by columns that must join); kept in a JetStream KV bucket',
    output: () => INT64,
    make: (ctx) => {
      const lookup = ctx.sequential;
      return (v) => lookup(canonical(v));
    },
  },
  {
    name: 'random',
    param: 'none',
    salted: true,
    summary: 'a random value of the same type and shape (digits, length, letter case), fixed per input value by the salt',
    output: (ctx) => randomUnsupported(ctx) ?? same(ctx),
    make: makeRandom,
  },
];

export { INT64 };
