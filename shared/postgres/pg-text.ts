import { parse as parseArrayLiteral } from 'postgres-array';
import type { LogicalType, ScalarType } from '../logical-types.js';

/**
 * PostgreSQL text format ↔ portable values (see logical-types.ts). Both the
 * Postgres capture (decode) and the Postgres sink (encode) use this one file,
 * so the two directions cannot drift apart. It assumes the session settings in
 * {@link PG_SESSION_OPTIONS}, which make the server's text output canonical.
 */
export const PG_SESSION_OPTIONS = '-c TimeZone=UTC -c DateStyle=ISO,YMD -c IntervalStyle=iso_8601 -c extra_float_digits=3 -c bytea_output=hex';

export function decodePgText(text: string, type: LogicalType): unknown {
  if (type.kind === 'array') return parseArrayLiteral(text, (el) => decodeScalar(el, type.of));
  return decodeScalar(text, type);
}

function decodeScalar(text: string, type: ScalarType): unknown {
  switch (type.kind) {
    case 'bool':
      return text === 't' || text === 'true';
    case 'int16':
    case 'int32':
    case 'float32':
    case 'float64':
      return Number(text);
    case 'int64':
    case 'uint64':
      return BigInt(text);
    case 'bytes':
      return Buffer.from(text.slice(2), 'hex');
    case 'date':
      return portableDate(text);
    case 'timestamp':
      return portableTimestamp(text, false);
    case 'timestamptz':
      return portableTimestamp(text, true);
    default:
      // decimal, text, enum, uuid, json, time, interval (ISO 8601 already): exact as sent.
      return text;
  }
}

/** "2024-01-02" stays; "0044-03-15 BC" becomes astronomical "-0043-03-15". */
function portableDate(text: string): string {
  if (!text.endsWith(' BC')) return text;
  const [y, rest] = [text.slice(0, text.indexOf('-')), text.slice(text.indexOf('-'), -3)];
  return `${astronomical(Number(y))}${rest}`;
}

function astronomical(bcYear: number): string {
  const y = 1 - bcYear;
  return y === 0 ? '0000' : `-${String(-y).padStart(4, '0')}`;
}

/** 'YYYY-MM-DD HH:MM:SS[.ffffff]' with an AD four-digit year: the shape nearly every value has. */
const PLAIN_DATETIME = /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d{1,6})?(\+00(:00)?)?$/;

function portableTimestamp(text: string, withZone: boolean): string {
  // Common case in one regex test and one concatenation: 'T' for the space, 'Z' for +00.
  if (PLAIN_DATETIME.test(text)) {
    const zone = text.indexOf('+', 19);
    const clock = zone < 0 ? text.slice(11) : text.slice(11, zone);
    return withZone ? `${text.slice(0, 10)}T${clock}Z` : `${text.slice(0, 10)}T${clock}`;
  }
  if (text === 'infinity' || text === '-infinity') return text;
  const bc = text.endsWith(' BC');
  let t = bc ? text.slice(0, -3) : text;
  if (withZone) t = t.replace(/\+00(:00)?$/, '');
  t = t.replace(' ', 'T');
  if (bc) {
    const dash = t.indexOf('-');
    t = astronomical(Number(t.slice(0, dash))) + t.slice(dash);
  }
  return withZone ? `${t}Z` : t;
}

/** Portable value → text the server parses back to the same value (null stays null). */
export function encodePgText(value: unknown, type: LogicalType): string | null {
  if (value === null || value === undefined) return null;
  if (type.kind === 'array') return encodeArray(value as unknown[], type.of);
  return encodeScalar(value, type);
}

/**
 * The encoder of one type, as a function chosen once (a per-value switch on
 * the type costs more than most conversions). Values must not be null.
 */
export function pgTextEncoder(type: LogicalType): (value: unknown) => string {
  switch (type.kind) {
    case 'array':
      return (v) => encodeArray(v as unknown[], type.of);
    case 'text':
    case 'enum':
    case 'uuid':
    case 'decimal':
    case 'time':
    case 'interval':
      return (v) => (typeof v === 'string' ? v : String(v));
    case 'int16':
    case 'int32':
    case 'int64':
    case 'uint64':
    case 'float32':
    case 'float64':
      return (v) => (typeof v === 'number' ? numberText(v) : String(v));
    default:
      return (v) => encodeScalar(v, type);
  }
}

function encodeScalar(value: unknown, type: ScalarType): string {
  switch (type.kind) {
    case 'bool':
      return value ? 't' : 'f';
    case 'bytes':
      return '\\x' + Buffer.from(value as Uint8Array).toString('hex');
    case 'json':
      return typeof value === 'string' ? value : JSON.stringify(value);
    case 'date':
    case 'timestamp':
    case 'timestamptz':
      return pgDateText(String(value));
    default:
      return typeof value === 'number' ? numberText(value) : String(value);
  }
}

function numberText(n: number): string {
  if (Number.isNaN(n)) return 'NaN';
  if (n === Infinity) return 'Infinity';
  if (n === -Infinity) return '-Infinity';
  return String(n);
}

/** Astronomical years (≤ 0) back to the server's BC notation. */
function pgDateText(s: string): string {
  // A year 0001–9999 (not 0000, not signed, not five digits): the text is the server's already.
  if (s.charCodeAt(4) === 45 /* - */ && s.charCodeAt(0) !== 45 && !s.startsWith('0000')) return s;
  const m = /^(-?)(\d{4,})(.*)$/.exec(s);
  if (!m) return s;
  const [, sign, year, rest] = m;
  const y = Number(sign + year);
  if (y > 0) return s;
  return `${String(1 - y).padStart(4, '0')}${rest} BC`;
}

function encodeArray(items: unknown[], of: ScalarType): string {
  const parts = items.map((item) => {
    if (item === null || item === undefined) return 'NULL';
    if (Array.isArray(item)) return encodeArray(item, of);
    return '"' + encodeScalar(item, of).replace(/\\/g, '\\\\').replace(/"/g, '\\"') + '"';
  });
  return `{${parts.join(',')}}`;
}
