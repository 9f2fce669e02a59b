// Compares a PostgreSQL source table with its MySQL/MariaDB copy, row by row, as comparable text.
import pg from 'pg';
import type mysql from 'mysql2/promise';
import type { LogicalType, ScalarType, TableSchema } from '../../shared/logical-types.js';
import { connectMysql } from '../../shared/mysql/mysql-connect.js';
import { describeTable } from '../../shared/postgres/pg-catalog.js';
import { pgClientConfig } from '../../shared/postgres/pg-connect.js';
import { decodePgText } from '../../shared/postgres/pg-text.js';

/**
 * What the MySQL sink promises, written down independently of its code:
 * every value arrives exactly, except those MySQL cannot hold at all (float
 * and decimal NaN/±Infinity, dates and timestamps outside years 0001–9999),
 * which are NULL. Arrays are JSON; decimals beyond DECIMAL(65,30) are text.
 */
type Cell = string | null;

export async function mysqlQuery<T = mysql.RowDataPacket[]>(url: string, sql: string, extra: mysql.ConnectionOptions = {}): Promise<T> {
  const conn = await connectMysql(url, 'destination', extra);
  try {
    return (await conn.query(sql))[0] as T;
  } finally {
    await conn.end();
  }
}

/** The source table's schema (logical types) and its rows as comparable text, sorted. */
export async function sourceRows(pgUrl: string, table: string): Promise<{ schema: TableSchema; rows: Cell[][] }> {
  const client = new pg.Client(pgClientConfig(pgUrl));
  await client.connect();
  try {
    const { rows: [{ oid, schema, name }] } = await client.query<{ oid: number; schema: string; name: string }>(
      'SELECT c.oid::int AS oid, n.nspname AS schema, c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = $1::regclass',
      [table],
    );
    const t = await describeTable(client, { oid, schema, table: name }, 0);
    const { rows } = await client.query<string[]>({ text: `SELECT ${t.columns.map((c) => `"${c.name}"`).join(', ')} FROM ${table}`, rowMode: 'array' });
    return { schema: t, rows: sortRows(rows.map((r) => r.map((text, i) => (text === null ? null : expected(decodePgText(text, t.columns[i].type), t.columns[i].type))))) };
  } finally {
    await client.end();
  }
}

/** The destination table's rows (the source's columns only) as comparable text, sorted. */
export async function destinationRows(mysqlUrl: string, schema: TableSchema, table = schema.table, where = ''): Promise<Cell[][]> {
  const types = new Map(schema.columns.map((c) => [c.name, c.type]));
  const rows = await mysqlQuery<Record<string, string | Buffer | null>[]>(mysqlUrl, `SELECT ${schema.columns.map((c) => `\`${c.name}\``).join(', ')} FROM \`${table}\` ${where}`, {
    typeCast: (field, next) => {
      const t = types.get(field.name);
      if (!t) return next();
      return t.kind === 'bytes' ? field.buffer() : field.string();
    },
  });
  return sortRows(rows.map((r) => schema.columns.map((c) => actual(r[c.name], c.type))));
}

/** Both sides, or null when the destination table is not there yet. */
export async function compareTable(pgUrl: string, mysqlUrl: string, table: string, where = ''): Promise<{ source: Cell[][]; destination: Cell[][] } | null> {
  const { schema, rows } = await sourceRows(pgUrl, table);
  try {
    return { source: rows, destination: await destinationRows(mysqlUrl, schema, schema.table, where) };
  } catch (e) {
    if ((e as { errno?: number }).errno === 1146) return null;
    throw e;
  }
}

export async function sameRows(pgUrl: string, mysqlUrl: string, table: string, where = ''): Promise<boolean> {
  const c = await compareTable(pgUrl, mysqlUrl, table, where);
  return c !== null && JSON.stringify(c.source) === JSON.stringify(c.destination);
}

function sortRows(rows: Cell[][]): Cell[][] {
  return rows.map((r) => [JSON.stringify(r), r] as const).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, r]) => r);
}

const DATE = /^(\d{4})-\d\d-\d\d$/;
const inYearRange = (year: string) => year !== '0000';

/** Comparable text of a portable value (as the Postgres capture decodes it), the way MySQL should hold it. */
function expected(v: unknown, t: LogicalType): Cell {
  if (v === null || v === undefined) return null;
  if (t.kind === 'array') return JSON.stringify(canonArray(v as unknown[], t.of));
  switch (t.kind) {
    case 'bool':
      return v ? '1' : '0';
    case 'float32':
    case 'float64':
      return Number.isFinite(v) ? String(v) : null;
    case 'decimal':
      if (!asDecimal(t)) return String(v);
      return /^-?\d/.test(String(v)) ? canonDecimal(String(v)) : null;
    case 'bytes':
      return Buffer.from(v as Uint8Array).toString('hex');
    case 'date': {
      const m = DATE.exec(String(v));
      return m && inYearRange(m[1]) ? String(v) : null;
    }
    case 'time':
      return sixDigits(String(v));
    case 'timestamp':
    case 'timestamptz': {
      const m = /^(\d{4})-\d\d-\d\dT[\d:.]+Z?$/.exec(String(v));
      return m && inYearRange(m[1]) ? sixDigits(String(v).replace('T', ' ').replace(/Z$/, '')) : null;
    }
    default:
      return String(v);
  }
}

/** Comparable text of what the MySQL server returned. */
function actual(raw: string | Buffer | null | undefined, t: LogicalType): Cell {
  if (raw === null || raw === undefined) return null;
  if (Buffer.isBuffer(raw)) return raw.toString('hex');
  if (t.kind === 'array') return JSON.stringify(canonArray(JSON.parse(raw), t.of));
  switch (t.kind) {
    case 'float32':
    case 'float64':
      return String(Number(raw));
    case 'decimal':
      return asDecimal(t) ? canonDecimal(raw) : raw;
    case 'time':
    case 'timestamp':
    case 'timestamptz':
      return sixDigits(raw);
    default:
      return raw;
  }
}

const asDecimal = (t: { precision?: number; scale?: number }) => t.precision !== undefined && t.precision <= 65 && (t.scale ?? 0) <= 30;

/** 12.5000 → 12.5, 3.000 → 3, -0 → 0. */
function canonDecimal(s: string): string {
  let r = s.includes('.') ? s.replace(/0+$/, '').replace(/\.$/, '') : s;
  if (/^-0*$/.test(r)) r = '0';
  return r;
}

/** Times and timestamps with exactly six fractional digits. */
function sixDigits(s: string): string {
  const m = /^(.*\d\d:\d\d:\d\d)(?:\.(\d+))?$/.exec(s);
  return m ? `${m[1]}.${(m[2] ?? '').padEnd(6, '0')}` : s;
}

/** An array, from portable values or from parsed JSON, with every scalar as text (NaN/Infinity, decimals, bytes as base64 included). */
function canonArray(items: unknown[], of: ScalarType): unknown[] {
  return items.map((v) => {
    if (v === null || v === undefined) return null;
    if (Array.isArray(v)) return canonArray(v, of);
    if (v instanceof Uint8Array) return Buffer.from(v).toString('base64');
    return String(v);
  });
}
