import type { ScalarType } from '../../shared/logical-types.js';
import type { ColumnPlan } from './mysql-ddl.js';

/**
 * Portable values (shared/logical-types.ts) → MySQL SQL literals.
 *
 * The sink's session runs with `NO_BACKSLASH_ESCAPES` (see mysql-sink.ts), so
 * a string literal only doubles its single quotes; bytes are hex literals.
 * Literals rather than placeholders: one multi-row statement is built per
 * chunk, and the values never pass through a client-side formatter.
 */

/** A value the column's MySQL type cannot hold at all (NaN, ±Infinity, a date outside 0001–9999). */
export const UNREPRESENTABLE: unique symbol = Symbol('unrepresentable');
export type Literal = string | typeof UNREPRESENTABLE;

export function quoteString(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}

export function literal(value: unknown, col: ColumnPlan): Literal {
  if (value === null || value === undefined) return 'NULL';
  switch (col.storage) {
    case 'bool':
      return value ? 'TRUE' : 'FALSE';
    case 'int':
      return typeof value === 'bigint' || typeof value === 'number' ? String(value) : quoteString(String(value));
    case 'float':
      return floatLiteral(Number(value));
    case 'decimal': {
      // A bare decimal literal is exact, also when compared (a quoted one would be compared as a double).
      const s = String(value);
      if (/^[+-]?(\d+\.?\d*|\.\d+)$/.test(s)) return s;
      return /^[+-]?(\d+\.?\d*|\.\d+)[eE][+-]?\d+$/.test(s) ? quoteString(s) : UNREPRESENTABLE; // NaN, ±Infinity
    }
    case 'bytes':
      return bytesLiteral(value as Uint8Array);
    case 'date':
      return dateLiteral(String(value));
    case 'datetime':
      return datetimeLiteral(String(value));
    case 'json':
      return quoteString(typeof value === 'string' ? value : JSON.stringify(value));
    case 'json-array':
      return quoteString(arrayJson(value as unknown[], (col.type as { of: ScalarType }).of));
    case 'time':
    case 'text':
      return quoteString(String(value));
  }
}

function floatLiteral(n: number): Literal {
  if (!Number.isFinite(n)) return UNREPRESENTABLE;
  // Exponent form makes it a DOUBLE literal (a plain "1.5" is parsed as DECIMAL first); toExponential() keeps every digit needed.
  return n.toExponential();
}

function bytesLiteral(b: Uint8Array): string {
  return `X'${Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex')}'`;
}

/** 'YYYY-MM-DD' with a year 0001–9999 (DATE's range); astronomical, 5-digit and infinite dates are not. */
function dateLiteral(s: string): Literal {
  return /^\d{4}-\d\d-\d\d$/.test(s) && !s.startsWith('0000') ? `'${s}'` : UNREPRESENTABLE;
}

/** 'YYYY-MM-DDTHH:MM:SS[.ffffff][Z]' → 'YYYY-MM-DD HH:MM:SS[.ffffff]' (timestamptz values are UTC already). */
function datetimeLiteral(s: string): Literal {
  const m = /^(\d{4}-\d\d-\d\d)T(\d\d:\d\d:\d\d(?:\.\d{1,6})?)Z?$/.exec(s);
  return m && !s.startsWith('0000') ? `'${m[1]} ${m[2]}'` : UNREPRESENTABLE;
}

/**
 * An array as JSON: integers and finite floats as numbers, booleans as
 * booleans, json elements as their JSON, nested arrays nested; everything
 * else as a string of its portable text (decimals exact, dates as sent,
 * NaN/Infinity as "NaN"/"Infinity"/"-Infinity", bytes as base64). Nothing is
 * lost: JSON can hold all of it.
 */
export function arrayJson(items: unknown[], of: ScalarType): string {
  const parts = items.map((v): string => {
    if (v === null || v === undefined) return 'null';
    if (Array.isArray(v)) return arrayJson(v, of);
    switch (of.kind) {
      case 'bool':
        return v ? 'true' : 'false';
      case 'int16':
      case 'int32':
      case 'int64':
      case 'uint64':
        return String(v);
      case 'float32':
      case 'float64':
        return Number.isFinite(v) ? String(v) : JSON.stringify(String(v));
      case 'json':
        return typeof v === 'string' ? v : JSON.stringify(v);
      case 'bytes':
        return JSON.stringify(Buffer.from(v as Uint8Array).toString('base64'));
      default:
        return JSON.stringify(String(v));
    }
  });
  return `[${parts.join(',')}]`;
}
