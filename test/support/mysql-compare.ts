// Reads a MySQL/MariaDB table and its PostgreSQL copy and normalises both to comparable text,
// from the MySQL column types (not from Nilus' own mapping, so the comparison checks it).
import mysql from 'mysql2/promise';
import pg from 'pg';
import { connectMysql } from '../../shared/mysql/mysql-connect.js';
import { isBinaryFamily } from '../../shared/mysql/mysql-types.js';
import { pgClientConfig } from '../../shared/postgres/pg-connect.js';

/** Runs statements one by one on a fresh connection (UTC session, utf8mb4). */
export async function mysqlSql(url: string, ...statements: string[]): Promise<void> {
  const conn = await connectMysql(url, 'source');
  try {
    for (const s of statements) await conn.query(s);
  } finally {
    await conn.end();
  }
}

export async function mysqlQuery(url: string, sql: string, params: unknown[] = []): Promise<mysql.RowDataPacket[]> {
  const conn = await connectMysql(url, 'source');
  try {
    const [rows] = await conn.query<mysql.RowDataPacket[]>(sql, params);
    return rows;
  } finally {
    await conn.end();
  }
}

export interface MyColumn {
  name: string;
  dataType: string;
  columnType: string;
  nullable: boolean;
}

export async function mysqlColumns(conn: mysql.Connection, db: string, table: string): Promise<MyColumn[]> {
  const [rows] = await conn.query<mysql.RowDataPacket[]>(
    'SELECT COLUMN_NAME AS name, DATA_TYPE AS dataType, COLUMN_TYPE AS columnType, IS_NULLABLE AS nullable FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION',
    [db, table],
  );
  // MariaDB's JSON is LONGTEXT with CHECK (json_valid(col)).
  const [checks] = await conn.query<mysql.RowDataPacket[]>('SELECT CHECK_CLAUSE AS c FROM information_schema.CHECK_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = ? AND TABLE_NAME = ?', [db, table]).catch(() => [[]] as unknown as [mysql.RowDataPacket[]]);
  const json = new Set(checks.map((k) => /^json_valid\(`(.+)`\)$/i.exec(String(k.c))?.[1]).filter(Boolean));
  return rows.map((r) => ({ name: String(r.name), dataType: json.has(String(r.name)) ? 'json' : String(r.dataType).toLowerCase(), columnType: String(r.columnType).toLowerCase(), nullable: r.nullable === 'YES' }));
}

const q = (s: string) => '`' + s.replace(/`/g, '``') + '`';
const qq = (s: string) => '"' + s.replace(/"/g, '""') + '"';

/** "-838:59:59.000001" (MySQL TIME) or "PT-838H-59M-59.000001S" (PostgreSQL ISO interval) → microseconds. */
export function durationMicros(s: string): string {
  const t = /^(-)?(\d+):(\d+):(\d+)(?:\.(\d+))?$/.exec(s);
  if (t) {
    const v = (BigInt(t[2]) * 3600n + BigInt(t[3]) * 60n + BigInt(t[4])) * 1_000_000n + BigInt(((t[5] ?? '') + '000000').slice(0, 6));
    return String(t[1] ? -v : v);
  }
  const iso = /^P(?:(-?\d+)D)?(?:T(?:(-?\d+)H)?(?:(-?\d+)M)?(?:(-?\d+)(?:\.(\d+))?S)?)?$/.exec(s);
  if (!iso) throw new Error(`not a duration: ${s}`);
  const sec = iso[4] ?? '0';
  const frac = BigInt(((iso[5] ?? '') + '000000').slice(0, 6));
  const secMicros = BigInt(sec) * 1_000_000n + (sec.startsWith('-') ? -frac : frac);
  return String(BigInt(iso[1] ?? 0) * 86_400_000_000n + BigInt(iso[2] ?? 0) * 3_600_000_000n + BigInt(iso[3] ?? 0) * 60_000_000n + secMicros);
}

const trimFraction = (s: string) => s.replace(/(\.\d*?)0+$/, '$1').replace(/\.$/, '');
const isZeroDate = (s: string) => /^0000-|-00(-|$)|-00 /.test(s);

/** What both sides print alike up to normalisation; undefined where each side prints its own way. */
function normaliseEither(v: string, c: MyColumn): string | undefined {
  switch (c.dataType) {
    case 'float':
      return String(Math.fround(Number(v)));
    case 'double':
    case 'real':
      return String(Number(v));
    case 'time':
      return durationMicros(v);
    default:
      return undefined;
  }
}

export function normaliseMysql(v: string | null, c: MyColumn): string | null {
  if (v === null) return null;
  const either = normaliseEither(v, c);
  if (either !== undefined) return either;
  if (isBinaryFamily(c.dataType)) return v.toLowerCase();
  switch (c.dataType) {
    case 'bit':
      return c.columnType === 'bit(1)' ? String(v !== '0' && v !== '00') : v.toLowerCase().padStart(Math.ceil(Number(/\d+/.exec(c.columnType)![0]) / 8) * 2, '0');
    case 'date':
      return isZeroDate(v) ? (c.nullable ? null : '1970-01-01') : v;
    case 'datetime':
    case 'timestamp':
      return isZeroDate(v) ? (c.nullable ? null : '1970-01-01 00:00:00') : trimFraction(v);
    case 'year':
      return String(Number(v));
    default:
      return v;
  }
}

function normalisePg(v: string | null, c: MyColumn): string | null {
  if (v === null) return null;
  const either = normaliseEither(v, c);
  if (either !== undefined) return either;
  if (isBinaryFamily(c.dataType)) return v.replace(/^\\x/, '');
  switch (c.dataType) {
    case 'bit':
      return c.columnType === 'bit(1)' ? String(v === 't' || v === 'true') : v.replace(/^\\x/, '');
    case 'datetime':
    case 'timestamp':
      return trimFraction(v.replace('T', ' ').replace(/\+00(:00)?$/, ''));
    default:
      return v;
  }
}

/** Bytes and BIT as hex, FLOAT widened (the text protocol prints FLOAT with 6 digits). */
export function mysqlSelectList(cols: MyColumn[]): string {
  return cols.map((c) => (c.dataType === 'float' ? `CAST(${q(c.name)} AS DOUBLE)` : isBinaryFamily(c.dataType) || c.dataType === 'bit' ? `HEX(${q(c.name)})` : q(c.name))).join(', ');
}

export interface TableTexts {
  columns: string[];
  rows: (string | null)[][];
}

/** Both sides of a MySQL table and its PostgreSQL copy, normalised, in `orderBy` order. */
export async function readBothSides(mysqlUrl: string, db: string, table: string, pgUrl: string, pgSchema = db, orderBy = 'id'): Promise<{ source: TableTexts; dest: TableTexts }> {
  const conn = await connectMysql(mysqlUrl, 'source');
  const client = new pg.Client(pgClientConfig(pgUrl));
  await client.connect();
  try {
    const cols = await mysqlColumns(conn, db, table);
    const select = mysqlSelectList(cols);
    const [myRows] = await conn.query({ sql: `SELECT ${select} FROM ${q(db)}.${q(table)} ORDER BY ${q(orderBy)}`, rowsAsArray: true, typeCast: (f: { string(): string | null }) => f.string() } as mysql.QueryOptions);
    const source = (myRows as unknown as (string | null)[][]).map((r) => r.map((v, i) => normaliseMysql(v, cols[i])));
    // JSON: let PostgreSQL's jsonb canonicalise the source's text, as it did the copy's.
    for (const [i, c] of cols.entries()) {
      if (!isJsonColumn(c)) continue;
      for (const r of source) if (r[i] !== null) r[i] = (await client.query<{ j: string }>('SELECT $1::jsonb::text AS j', [r[i]])).rows[0].j;
    }
    const { rows: pgRows } = await client.query({ text: `SELECT ${cols.map((c) => `${qq(c.name)}::text`).join(', ')} FROM ${qq(pgSchema)}.${qq(table)} AS t ORDER BY t.${qq(orderBy)}`, rowMode: 'array' });
    const dest = (pgRows as (string | null)[][]).map((r) => r.map((v, i) => normalisePg(v, cols[i])));
    return { source: { columns: cols.map((c) => c.name), rows: source }, dest: { columns: cols.map((c) => c.name), rows: dest } };
  } finally {
    await conn.end();
    await client.end();
  }
}

function isJsonColumn(c: MyColumn): boolean {
  return c.dataType === 'json';
}

/** Null when both sides hold the same rows; else a description of the first difference. */
export async function mysqlPgDifference(mysqlUrl: string, db: string, table: string, pgUrl: string, pgSchema = db, orderBy = 'id'): Promise<string | null> {
  let both;
  try {
    both = await readBothSides(mysqlUrl, db, table, pgUrl, pgSchema, orderBy);
  } catch (e) {
    return `cannot read both sides: ${(e as Error).message}`;
  }
  const { source, dest } = both;
  if (source.rows.length !== dest.rows.length) return `${table}: ${source.rows.length} source rows, ${dest.rows.length} destination rows`;
  for (let r = 0; r < source.rows.length; r++) {
    for (let c = 0; c < source.columns.length; c++) {
      if (source.rows[r][c] !== dest.rows[r][c]) return `${table} row ${r} (${source.columns[0]}=${source.rows[r][0]}) column ${source.columns[c]}: source ${JSON.stringify(source.rows[r][c])}, destination ${JSON.stringify(dest.rows[r][c])}`;
    }
  }
  return null;
}
