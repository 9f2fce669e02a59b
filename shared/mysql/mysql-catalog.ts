// Table discovery and description from information_schema, for the MySQL capture (and a MySQL sink).
import type mysql from 'mysql2/promise';
import type { TableSchema } from '../logical-types.js';
import { mysqlColumnSchema, type MysqlColumnInfo } from './mysql-types.js';

export interface MysqlTable {
  schema: string;
  table: string;
}

export const SYSTEM_SCHEMAS = ['mysql', 'information_schema', 'performance_schema', 'sys'];

/** Base tables of `database` (or of every non-system database when it is undefined). */
export async function listMysqlTables(conn: mysql.Connection, database: string | undefined): Promise<MysqlTable[]> {
  const [rows] = await conn.query<mysql.RowDataPacket[]>(
    `SELECT TABLE_SCHEMA AS s, TABLE_NAME AS t FROM information_schema.TABLES
      WHERE TABLE_TYPE = 'BASE TABLE' AND ${database === undefined ? `TABLE_SCHEMA NOT IN (${SYSTEM_SCHEMAS.map(() => '?').join(', ')})` : 'TABLE_SCHEMA = ?'}
      ORDER BY TABLE_SCHEMA, TABLE_NAME`,
    database === undefined ? SYSTEM_SCHEMAS : [database],
  );
  return rows.map((r) => ({ schema: String(r.s), table: String(r.t) }));
}

/** Columns (in ordinal order) and primary key of a table; null when it does not exist. */
export async function describeMysqlTable(conn: mysql.Connection, t: MysqlTable): Promise<Omit<TableSchema, 'version'> | null> {
  const [cols] = await conn.query<mysql.RowDataPacket[]>(
    `SELECT COLUMN_NAME AS name, DATA_TYPE AS dataType, COLUMN_TYPE AS columnType, IS_NULLABLE AS nullable,
            NUMERIC_PRECISION AS \`precision\`, NUMERIC_SCALE AS scale, CHARACTER_MAXIMUM_LENGTH AS charLength,
            CHARACTER_SET_NAME AS charset, COLUMN_KEY AS colKey
       FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION`,
    [t.schema, t.table],
  );
  if (cols.length === 0) return null;
  const [keys] = await conn.query<mysql.RowDataPacket[]>(
    `SELECT COLUMN_NAME AS name FROM information_schema.STATISTICS
      WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? AND INDEX_NAME = 'PRIMARY' ORDER BY SEQ_IN_INDEX`,
    [t.schema, t.table],
  );
  // MariaDB's JSON is an alias of LONGTEXT plus CHECK (json_valid(col)).
  const jsonCols = new Set<string>();
  if (cols.some((c) => String(c.dataType).toLowerCase() === 'longtext')) {
    const [checks] = await conn
      .query<mysql.RowDataPacket[]>(`SELECT CHECK_CLAUSE AS clause FROM information_schema.CHECK_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = ? AND TABLE_NAME = ?`, [t.schema, t.table])
      .catch(() => [[] as mysql.RowDataPacket[]]);
    for (const c of checks) {
      const m = /^json_valid\(`((?:[^`]|``)+)`\)$/i.exec(String(c.clause).trim());
      if (m) jsonCols.add(m[1].replace(/``/g, '`'));
    }
  }
  const columns = cols.map((c) => {
    const info: MysqlColumnInfo = {
      name: String(c.name),
      dataType: String(c.dataType).toLowerCase(),
      columnType: String(c.columnType),
      nullable: c.nullable === 'YES',
      precision: c.precision == null ? null : Number(c.precision),
      scale: c.scale == null ? null : Number(c.scale),
      charLength: c.charLength == null ? null : Number(c.charLength),
      charset: c.charset == null ? null : String(c.charset),
      isJson: jsonCols.has(String(c.name)),
    };
    return mysqlColumnSchema(info);
  });
  return { schema: t.schema, table: t.table, columns, primaryKey: keys.map((k) => String(k.name)) };
}
