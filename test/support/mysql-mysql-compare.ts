// Compares a MySQL/MariaDB source table with its MySQL/MariaDB copy (MySQL capture → MySQL sink),
// row by row as text, normalised from the *source* column types only where docs/architecture.md
// documents a change of type (not from Nilus' own mapping code, so the comparison checks it):
//   FLOAT → DOUBLE (compared as the float32 value), BIT(1) → BOOLEAN, BIT(n) → LONGBLOB (n/8 bytes),
//   TIME → interval, stored as ISO 8601 text (compared as microseconds), DATETIME/TIMESTAMP → DATETIME(6)
//   (TIMESTAMP in UTC; both sides read in a UTC session), zero dates → NULL or the epoch (NOT NULL),
//   YEAR → SMALLINT, ENUM/SET → text. Everything else must be the same text.
import type mysql from 'mysql2/promise';
import { connectMysql } from '../../shared/mysql/mysql-connect.js';
import { mysqlColumns, mysqlSelectList, normaliseMysql } from './mysql-compare.js';

type Cell = string | null;

const q = (s: string) => '`' + s.replace(/`/g, '``') + '`';

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
    // The source's column types drive both reads: the copy's types are what is being checked.
    const cols = await mysqlColumns(src, db, table);
    const read = async (conn: mysql.Connection, database: string) => {
      const [rows] = await conn.query({ sql: `SELECT ${mysqlSelectList(cols)} FROM ${q(database)}.${q(table)} ORDER BY ${orderBy.split(',').map((k) => q(k.trim())).join(', ')}`, rowsAsArray: true, typeCast } as mysql.QueryOptions);
      return (rows as unknown as Cell[][]).map((r) => r.map((v, i) => normaliseMysql(v, cols[i])));
    };
    return { columns: cols.map((c) => c.name), source: await read(src, db), dest: await read(dst, destDb) };
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
