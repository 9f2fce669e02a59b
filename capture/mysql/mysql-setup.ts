import type mysql from 'mysql2/promise';
import { NilusError } from '../../shared/errors.js';
import type { Logger } from '../../shared/log.js';
import { describeMysqlTable, listMysqlTables, SYSTEM_SCHEMAS, type MysqlTable } from '../../shared/mysql/mysql-catalog.js';
import { quoteMysqlIdent } from '../../shared/mysql/mysql-connect.js';
import type { MysqlCaptureOptions } from './mysql-options.js';
import { tableName } from '../runtime/backfill.js';

export interface ServerInfo {
  version: string;
  isMariaDb: boolean;
  serverUuid: string | null;
  /** @@binlog_row_metadata (MySQL 8.0.1+, MariaDB 10.5+), null where the server has no such setting. */
  rowMetadata: string | null;
}

/**
 * Without binlog_row_metadata = FULL, zongji names a row event's columns from information_schema as it is
 * when it reads the event: replaying events written before an ALTER TABLE (after a crash or a lag) can
 * then stop the capture with a column-count mismatch, or misname columns.
 */
export function warnAboutRowMetadata(server: ServerInfo, log: Logger): void {
  if (server.rowMetadata === null || server.rowMetadata.toUpperCase() === 'FULL') return;
  log.warn(
    { binlog_row_metadata: server.rowMetadata },
    `the source has binlog_row_metadata = ${server.rowMetadata}: binlog events do not describe their columns, so the capture reads column names from information_schema, which is wrong for events written before a later ALTER TABLE of the same table. Run SET GLOBAL binlog_row_metadata = 'FULL'; and set it in my.cnf to make schema changes safe to replay`,
  );
}

const MY_CNF = 'in the [mysqld] section of my.cnf (or on the command line) and restart the server';

/** Settings and grants binlog capture needs; each failure names the setting or grant and how to fix it. */
export async function checkServer(conn: mysql.Connection): Promise<ServerInfo> {
  const [[v]] = await conn.query<mysql.RowDataPacket[]>('SELECT @@version AS version, @@log_bin AS logBin, @@binlog_format AS format, @@binlog_row_image AS image, @@server_id AS serverId');
  const version = String(v.version);
  const isMariaDb = /mariadb/i.test(version);
  if (Number(v.logBin) !== 1) {
    throw new NilusError('SOURCE_NOT_CAPTURABLE', `the source ${isMariaDb ? 'MariaDB' : 'MySQL'} runs without a binary log (log_bin = OFF), change data capture reads the binlog`, `set log_bin = ON (log-bin = mysql-bin), server_id = 1, binlog_format = ROW and binlog_row_image = FULL ${MY_CNF}`);
  }
  if (String(v.format).toUpperCase() !== 'ROW') {
    throw new NilusError('SOURCE_NOT_CAPTURABLE', `the source has binlog_format = ${v.format}, change data capture needs binlog_format = ROW`, `run SET GLOBAL binlog_format = 'ROW'; and set binlog_format = ROW ${MY_CNF} so it survives a restart (connections opened earlier keep the old format until they reconnect)`);
  }
  if (String(v.image).toUpperCase() !== 'FULL') {
    throw new NilusError('SOURCE_NOT_CAPTURABLE', `the source has binlog_row_image = ${v.image}, change data capture needs binlog_row_image = FULL (whole before and after images)`, `run SET GLOBAL binlog_row_image = 'FULL'; and set binlog_row_image = FULL ${MY_CNF}`);
  }
  await checkGrants(conn, isMariaDb);
  let serverUuid: string | null = null;
  if (!isMariaDb) {
    const [[u]] = await conn.query<mysql.RowDataPacket[]>('SELECT @@server_uuid AS u').catch(() => [[{ u: null }]] as unknown as [mysql.RowDataPacket[]]);
    serverUuid = u?.u ? String(u.u) : null;
  }
  const [[m]] = await conn.query<mysql.RowDataPacket[]>('SELECT @@GLOBAL.binlog_row_metadata AS m').catch(() => [[{ m: null }]] as unknown as [mysql.RowDataPacket[]]);
  return { version, isMariaDb, serverUuid, rowMetadata: m?.m == null ? null : String(m.m) };
}

/** REPLICATION SLAVE (read the binlog) and REPLICATION CLIENT (MariaDB 10.5+: BINLOG MONITOR; SHOW MASTER STATUS) on *.*. */
async function checkGrants(conn: mysql.Connection, isMariaDb: boolean): Promise<void> {
  const [rows] = await conn.query<mysql.RowDataPacket[]>({ sql: 'SHOW GRANTS', rowsAsArray: true });
  const [[who]] = await conn.query<mysql.RowDataPacket[]>('SELECT CURRENT_USER() AS u');
  const global = rows
    .map((r) => String((r as unknown as unknown[])[0]))
    .filter((g) => /\bON \*\.\* TO\b/i.test(g))
    .map((g) => g.replace(/\bON \*\.\* TO\b.*$/i, '').toUpperCase());
  const has = (re: RegExp) => global.some((g) => /\bALL PRIVILEGES\b/.test(g) || re.test(g));
  const user = String(who.u).replace(/^([^@]*)@(.*)$/, "'$1'@'$2'");
  const missing: string[] = [];
  if (!has(/\bREPLICATION SLAVE\b|\bREPLICATION REPLICA\b/)) missing.push('REPLICATION SLAVE');
  if (!has(/\bREPLICATION CLIENT\b|\bBINLOG MONITOR\b|\bSUPER\b/)) missing.push(isMariaDb ? 'BINLOG MONITOR (REPLICATION CLIENT)' : 'REPLICATION CLIENT');
  if (missing.length) {
    const grant = missing.map((m) => m.replace(/ \(.*\)$/, '')).join(', ');
    throw new NilusError('SOURCE_NOT_CAPTURABLE', `the source user ${user} lacks the ${missing.join(' and ')} privilege${missing.length > 1 ? 's' : ''} that reading the binlog needs`, `run GRANT ${grant} ON *.* TO ${user}; as an administrator`);
  }
}

/** A captured table that is gone from the source when its rows or shape are needed. */
export function tableGone(t: MysqlTable): NilusError {
  return new NilusError('SOURCE_TABLE_UNKNOWN', `table ${tableName(t)} no longer exists at the source`, 'restore it, or remove it from table.include.list and restart the capture');
}

/** Whether the lists pick a table (without an include list: every table of the address's database). */
export function tableMatcher(database: string | undefined, opts: MysqlCaptureOptions): (t: MysqlTable) => boolean {
  const include = opts['table.include.list'].map((re) => new RegExp(`^(?:${re})$`));
  const exclude = opts['table.exclude.list'].map((re) => new RegExp(`^(?:${re})$`));
  return (t) => {
    const name = tableName(t);
    return (include.length ? include.some((re) => re.test(name)) : database === undefined ? !SYSTEM_SCHEMAS.includes(t.schema) : t.schema === database) && !exclude.some((re) => re.test(name));
  };
}

/** Tables picked by table.include.list / table.exclude.list (regexes over "database.table", anchored as in Debezium). */
export async function selectTables(conn: mysql.Connection, database: string | undefined, opts: MysqlCaptureOptions, log: Logger): Promise<MysqlTable[]> {
  const all = await listMysqlTables(conn, opts['table.include.list'].length ? undefined : database);
  const include = opts['table.include.list'].map((re) => new RegExp(`^(?:${re})$`));
  for (const [i, re] of include.entries()) {
    if (!all.some((t) => re.test(tableName(t)))) {
      throw new NilusError('SOURCE_TABLE_UNKNOWN', `source.options.table.include.list entry "${opts['table.include.list'][i]}" matches no table of the source`, `check the database and table name (the pattern must match "database.table" whole), create the table first, or grant the capture user SELECT on it (information_schema hides tables a user may not read)`);
    }
  }
  const picked = all.filter(tableMatcher(database, opts));
  if (picked.length === 0) {
    throw new NilusError('SOURCE_TABLE_UNKNOWN', database ? `no table of database ${database} matches table.include.list / table.exclude.list` : 'no table of the source matches table.include.list / table.exclude.list', 'create the tables or widen the lists');
  }
  for (const t of picked) {
    try {
      await conn.query(`SELECT 1 FROM ${quoteMysqlIdent(t.schema)}.${quoteMysqlIdent(t.table)} LIMIT 0`);
    } catch (e) {
      const err = e as { code?: string; message?: string };
      if (err.code === 'ER_TABLEACCESS_DENIED_ERROR' || err.code === 'ER_COLUMNACCESS_DENIED_ERROR' || err.code === 'ER_DBACCESS_DENIED_ERROR') {
        const [[who]] = await conn.query<mysql.RowDataPacket[]>('SELECT CURRENT_USER() AS u');
        const user = String(who.u).replace(/^([^@]*)@(.*)$/, "'$1'@'$2'");
        throw new NilusError('SOURCE_NOT_CAPTURABLE', `the source user ${user} may not read ${tableName(t)} (the snapshot needs SELECT): ${err.message}`, `run GRANT SELECT ON ${quoteMysqlIdent(t.schema)}.* TO ${user}; as an administrator`);
      }
      throw e;
    }
    const d = await describeMysqlTable(conn, t);
    if (d && d.primaryKey.length === 0) {
      log.warn({ table: tableName(t) }, `table ${tableName(t)} has no primary key: its snapshot cannot resume after a crash (it restarts from its first row) and sinks append its rows; add a primary key to capture it exactly`);
    }
  }
  return picked;
}
