import type { ColumnSchema, LogicalType, ScalarType, TableSchema } from '../../shared/logical-types.js';
import { quoteMysqlIdent as quoteId } from '../../shared/mysql/mysql-connect.js';
import type { ExtraColumn } from '../runtime/table-sink.js';

/** What differs between the servers this sink writes to, found out once per session. */
export interface MySqlDialect {
  flavor: 'mysql' | 'mariadb';
  /**
   * Binary, NO PAD utf8mb4 collation for every text column: 'a', 'A' and 'a '
   * are three keys, as at the source (utf8mb4_nopad_bin on MariaDB,
   * utf8mb4_0900_bin on MySQL 8; plain utf8mb4_bin, which ignores trailing
   * spaces, only on servers that have neither).
   */
  textCollation: string;
}

/** InnoDB's limit on the bytes of one index (DYNAMIC row format, the default since MySQL 5.7 / MariaDB 10.2). */
export const MAX_KEY_BYTES = 3072;

/** How a column is stored: its SQL type and how its values are written. */
export interface ColumnPlan {
  name: string;
  type: LogicalType;
  sqlType: string;
  /** How values are written: `text` columns mapped from a non-text logical type (decimal beyond DECIMAL, arrays, json keys) get their canonical text. */
  storage: Storage;
}

/**
 * bool, int, float (DOUBLE), decimal (DECIMAL), text (strings), bytes, date,
 * time, datetime, json (the JSON text), json-array (array rendered as JSON).
 */
export type Storage = 'bool' | 'int' | 'float' | 'decimal' | 'text' | 'bytes' | 'date' | 'time' | 'datetime' | 'json' | 'json-array';

export interface TablePlan {
  columns: ColumnPlan[];
  extra: { name: string; role: ExtraColumn['role']; sqlType: string }[];
  key: string[];
}

/**
 * Destination columns for a source table. Lossless by construction: a value
 * either keeps its exact meaning or is one of the few MySQL cannot hold at all
 * (NaN and ±Infinity, dates outside 0001–9999; see mysql-values.ts).
 */
export function planTable(t: TableSchema, extra: ExtraColumn[], dialect: MySqlDialect): TablePlan {
  const keyLengths = keyColumnLengths(t);
  const columns = t.columns.map((c) => planColumn(c, keyLengths.get(c.name), dialect));
  return { columns, extra: extra.map((e) => ({ ...e, sqlType: extraType(e.role, dialect) })), key: t.primaryKey };
}

function extraType(role: ExtraColumn['role'], d: MySqlDialect): string {
  switch (role) {
    case 'deleted':
      return 'BOOLEAN NOT NULL DEFAULT FALSE';
    case 'op':
      return 'CHAR(1) CHARACTER SET ascii COLLATE ascii_bin';
    case 'position':
      return `TEXT CHARACTER SET utf8mb4 COLLATE ${d.textCollation}`;
    case 'synced-at':
      return 'DATETIME(6)';
  }
}

/**
 * `keyChars` is set for a key column whose usual type (LONGTEXT, LONGBLOB,
 * JSON) MySQL cannot index: it becomes VARCHAR/VARBINARY of that many
 * characters (bytes), see {@link keyColumnLengths}.
 */
export function planColumn(c: ColumnSchema, keyChars: number | undefined, d: MySqlDialect): ColumnPlan {
  const text = (n?: number) => (n === undefined ? `LONGTEXT CHARACTER SET utf8mb4 COLLATE ${d.textCollation}` : `VARCHAR(${n}) CHARACTER SET utf8mb4 COLLATE ${d.textCollation}`);
  const plan = (sqlType: string, storage: Storage): ColumnPlan => ({ name: c.name, type: c.type, sqlType, storage });
  const t = c.type;
  if (t.kind === 'array') return plan(keyChars === undefined ? 'JSON' : text(keyChars), 'json-array');
  return scalar(t);

  function scalar(t: ScalarType): ColumnPlan {
    switch (t.kind) {
      case 'bool':
        return plan('BOOLEAN', 'bool');
      case 'int16':
        return plan('SMALLINT', 'int');
      case 'int32':
        return plan('INT', 'int');
      case 'int64':
        return plan('BIGINT', 'int');
      case 'uint64':
        return plan('BIGINT UNSIGNED', 'int');
      case 'float32':
      case 'float64':
        // FLOAT would reject the largest float32 values as written by sources (3.40282347e38) and prints 6 digits; DOUBLE holds every float32 exactly.
        return plan('DOUBLE', 'float');
      case 'decimal':
        if (fitsDecimal(t)) return plan(`DECIMAL(${t.precision},${t.scale ?? 0})`, 'decimal');
        return plan(text(keyChars), 'text'); // unconstrained or wider than DECIMAL(65,30): the exact digits as text (NaN too)
      case 'text':
        return plan(text(keyChars), 'text');
      case 'bytes':
        return plan(keyChars === undefined ? 'LONGBLOB' : `VARBINARY(${keyChars})`, 'bytes');
      case 'uuid':
        return plan('CHAR(36) CHARACTER SET ascii COLLATE ascii_bin', 'text');
      case 'json':
        return keyChars === undefined ? plan('JSON', 'json') : plan(text(keyChars), 'json');
      case 'date':
        return plan('DATE', 'date');
      case 'time':
        return plan('TIME(6)', 'time');
      case 'timestamp':
      case 'timestamptz':
        // DATETIME, not TIMESTAMP: no session time-zone conversion and years 0001–9999 rather than 1970–2038. timestamptz is stored in UTC.
        return plan('DATETIME(6)', 'datetime');
      case 'interval':
        return plan('VARCHAR(100) CHARACTER SET ascii COLLATE ascii_bin', 'text'); // ISO 8601 duration text
      case 'enum':
        return plan(text(Math.min(255, keyChars ?? 255)), 'text'); // labels may be added later: not sized to today's
    }
  }
}

export function fitsDecimal(t: { precision?: number; scale?: number }): t is { precision: number; scale?: number } {
  const s = t.scale ?? 0;
  return t.precision !== undefined && t.precision >= 1 && t.precision <= 65 && s >= 0 && s <= 30 && s <= t.precision;
}

/** Bytes a fixed-size key column takes in an index, or null when it is a variable-length string. */
function fixedKeyBytes(t: LogicalType): number | null {
  switch (t.kind) {
    case 'bool':
      return 1;
    case 'int16':
      return 2;
    case 'int32':
      return 4;
    case 'int64':
    case 'uint64':
    case 'float32':
    case 'float64':
    case 'timestamp':
    case 'timestamptz':
      return 8;
    case 'decimal':
      return fitsDecimal(t) ? 32 : null;
    case 'uuid':
      return 36;
    case 'date':
      return 3;
    case 'time':
      return 6;
    case 'interval':
      return 100;
    default:
      return null; // text, enum, bytes, json, arrays
  }
}

/**
 * Lengths for the variable-length key columns, so the whole key fits
 * {@link MAX_KEY_BYTES}: a column with a declared length (varchar(40)) gets it
 * when it fits, the rest share what is left (utf8mb4 counts 4 bytes a
 * character). One text key is VARCHAR(768); one bytes key VARBINARY(3072).
 * A longer value is rejected by the server and parked on the dead-letter subject.
 */
export function keyColumnLengths(t: TableSchema): Map<string, number> {
  const out = new Map<string, number>();
  let remaining = MAX_KEY_BYTES;
  const variable: { name: string; bytesPerChar: number; wanted: number }[] = [];
  for (const name of t.primaryKey) {
    const c = t.columns.find((x) => x.name === name);
    if (!c) continue;
    const fixed = fixedKeyBytes(c.type);
    if (fixed !== null) {
      remaining -= fixed;
      continue;
    }
    const bytesPerChar = c.type.kind === 'bytes' ? 1 : 4;
    const wanted = c.type.kind === 'text' && c.type.length ? c.type.length : c.type.kind === 'enum' ? 255 : Infinity;
    variable.push({ name, bytesPerChar, wanted });
  }
  // Smallest needs first: each takes what it wants up to an equal share of what is left.
  variable.sort((a, b) => a.wanted * a.bytesPerChar - b.wanted * b.bytesPerChar);
  variable.forEach((v, i) => {
    const share = Math.floor(Math.max(0, remaining) / (variable.length - i));
    const chars = Math.max(1, Math.min(v.wanted, Math.floor(share / v.bytesPerChar)));
    out.set(v.name, chars);
    remaining -= chars * v.bytesPerChar;
  });
  return out;
}

export function createTableSql(sqlName: string, plan: TablePlan, d: MySqlDialect): string {
  const cols = [...plan.columns.map((c) => `${quoteId(c.name)} ${c.sqlType}`), ...plan.extra.map((e) => `${quoteId(e.name)} ${e.sqlType}`)];
  if (plan.key.length) cols.push(`PRIMARY KEY (${plan.key.map(quoteId).join(', ')})`);
  return `CREATE TABLE ${sqlName} (${cols.join(', ')}) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=${d.textCollation}`;
}

/**
 * One ALTER adding every planned column the table lacks, or null when it has
 * them all. `existing` holds lower-cased names: MySQL column names ignore case.
 */
export function addColumnsSql(sqlName: string, plan: TablePlan, existing: Set<string>): { sql: string; added: string[] } | null {
  const missing = [...plan.columns.map((c) => [c.name, c.sqlType] as const), ...plan.extra.map((e) => [e.name, e.sqlType] as const)].filter(([n]) => !existing.has(n.toLowerCase()));
  if (missing.length === 0) return null;
  return { sql: `ALTER TABLE ${sqlName} ${missing.map(([n, ty]) => `ADD COLUMN ${quoteId(n)} ${ty}`).join(', ')}`, added: missing.map(([n]) => n) };
}
