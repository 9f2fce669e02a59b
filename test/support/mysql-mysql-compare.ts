// Compares a MySQL/MariaDB source table with its MySQL/MariaDB copy (MySQL capture → MySQL sink),
// row by row as text, normalised from the *source* column types only where docs/architecture.md
// documents a change of type (not from Nilus' own mapping code, so the comparison checks it):
//   FLOAT → DOUBLE (compared as the float32 value), BIT(1) → BOOLEAN, BIT(n) → LONGBLOB (n/8 bytes),
//   TIME → interval, stored as ISO 8601 text (compared as microseconds), DATETIME/TIMESTAMP → DATETIME(6)
//   (TIMESTAMP in UTC; both sides read in a UTC session), zero dates → NULL or the epoch (NOT NULL),
//   YEAR → SMALLINT, ENUM/SET → text. Everything else must be the same text.
import type mysql from 'mysql2/promise';
import { connectMysql } from '../../shared/mysql/mysql-connect.js';
import { durationMicros } from './mysql-compare.js';

interface SourceColumn {
  name: string;
  dataType: string;
  columnType: string;
  nullable: boolean;
}

type Cell = string | null;

const q = (s: string) => '`' + s.replace(/`/g, '``') + '`';
const BYTES = /^(binary|varbinary|tinyblob|blob|mediumblob|longblob)$/;

async function sourceColumns(conn: mysql.Connection, db: string, table: string): Promise<SourceColumn[]> {
  const [rows] = await conn.query<mysql.RowDataPacket[]>(
    'SELECT COLUMN_NAME AS name, DATA_TYPE AS dataType, COLUMN_TYPE AS columnType, IS_NULLABLE AS nullable FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION',
    [db, table],
  );
  // MariaDB's JSON is LONGTEXT with CHECK (json_valid(col)).
  const [checks] = await conn.query<mysql.RowDataPacket[]>('SELECT CHECK_CLAUSE AS c FROM information_schema.CHECK_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = ? AND TABLE_NAME = ?', [db, table]);
  const json = new Set(checks.map((k) => /^json_valid\(`(.+)`\)$/i.exec(String(k.c))?.[1]).filter(Boolean));
  return rows.map((r) => ({ name: String(r.name), dataType: json.has(String(r.name)) ? 'json' : String(r.dataType).toLowerCase(), columnType: String(r.columnType).toLowerCase(), nullable: r.nullable === 'YES' }));
}

const trimFraction = (s: string) => s.replace(/(\.\d*?)0+$/, '$1').replace(/\.$/, '');
const isZeroDate = (s: string) => /^0000-|-00(-|$)|-00 /.test(s);
const bitBytes = (c: SourceColumn) => Math.ceil(Number(/\d+/.exec(c.columnType)![0]) / 8);

/** The select list for one side: bytes as hex, FLOAT widened (the text protocol prints FLOAT with 6 digits). */
function selectList(cols: SourceColumn[], side: 'source' | 'dest'): string {
  return cols
    .map((c) => {
      if (c.dataType === 'float' && side === 'source') return `CAST(${q(c.name)} AS DOUBLE)`;
      if (BYTES.test(c.dataType) || (c.dataType === 'bit' && c.columnType !== 'bit(1)')) return `HEX(${q(c.name)})`;
      if (c.dataType === 'bit') return side === 'source' ? `${q(c.name)} + 0` : q(c.name);
      return q(c.name);
    })
    .join(', ');
}

function normalise(v: Cell, c: SourceColumn, side: 'source' | 'dest'): Cell {
  if (v === null) return null;
  switch (c.dataType) {
    case 'float':
      return String(Math.fround(Number(v)));
    case 'double':
    case 'real':
      return String(Number(v));
    case 'bit':
      return c.columnType === 'bit(1)' ? String(Number(v)) : v.toLowerCase().padStart(bitBytes(c) * 2, '0');
    case 'date':
      return side === 'source' && isZeroDate(v) ? (c.nullable ? null : '1970-01-01') : v;
    case 'datetime':
    case 'timestamp':
      return side === 'source' && isZeroDate(v) ? (c.nullable ? null : '1970-01-01 00:00:00') : trimFraction(v);
    case 'time':
      return durationMicros(v);
    case 'year':
      return String(Number(v));
    default:
      return BYTES.test(c.dataType) ? v.toLowerCase() : v;
  }
}

export interface BothTables {
  columns: string[];
  source: Cell[][];
  dest: Cell[][];
}

/** Both sides of `db.table` and its copy `destDb.table` (same server or not), normalised, in `orderBy` order. */
export async function readMysqlPair(sourceUrl: string, db: string, destUrl: string, destDb: string, table: string, orderBy = 'id'): Promise<BothTables> {
  const typeCast = (f: { string(): string | null }) => f.string();
  const src = await connectMysql(sourceUrl, 'source');
  const dst = await connectMysql(destUrl, 'destination');
  try {
    const cols = await sourceColumns(src, db, table);
    const read = async (conn: mysql.Connection, side: 'source' | 'dest', database: string) => {
      const [rows] = await conn.query({ sql: `SELECT ${selectList(cols, side)} FROM ${q(database)}.${q(table)} ORDER BY ${orderBy.split(',').map((k) => q(k.trim())).join(', ')}`, rowsAsArray: true, typeCast } as mysql.QueryOptions);
      return (rows as unknown as Cell[][]).map((r) => r.map((v, i) => normalise(v, cols[i], side)));
    };
    return { columns: cols.map((c) => c.name), source: await read(src, 'source', db), dest: await read(dst, 'dest', destDb) };
  } finally {
    await src.end();
    await dst.end();
  }
}

/** Null when both sides hold the same rows; else a description of the first difference. */
export async function mysqlMysqlDifference(sourceUrl: string, db: string, destUrl: string, destDb: string, table: string, orderBy = 'id'): Promise<string | null> {
  let both: BothTables;
  try {
    both = await readMysqlPair(sourceUrl, db, destUrl, destDb, table, orderBy);
  } catch (e) {
    return `cannot read both sides: ${(e as Error).message}`;
  }
  const { columns, source, dest } = both;
  if (source.length !== dest.length) return `${table}: ${source.length} source rows, ${dest.length} destination rows`;
  for (let r = 0; r < source.length; r++) {
    for (let c = 0; c < columns.length; c++) {
      if (source[r][c] !== dest[r][c]) return `${table} row ${r} (${columns[0]}=${source[r][0]}) column ${columns[c]}: source ${JSON.stringify(source[r][c]?.slice(0, 200))}, destination ${JSON.stringify(dest[r][c]?.slice(0, 200))}`;
    }
  }
  return null;
}
