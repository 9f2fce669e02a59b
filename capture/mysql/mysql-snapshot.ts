import type mysql from 'mysql2/promise';
import type { Row } from '../../shared/envelope.js';
import type { Logger } from '../../shared/log.js';
import type { TableSchema } from '../../shared/logical-types.js';
import { quoteMysqlIdent } from '../../shared/mysql/mysql-connect.js';
import { decodeMysqlValue, mysqlLiteral, type DecodeContext } from '../../shared/mysql/mysql-types.js';
import type { CaptureEmitter } from '../runtime/emitter.js';
import { keysetSnapshot } from '../runtime/snapshot.js';
import type { BinlogPoint } from './mysql-position.js';

export interface SnapshotPoint {
  point: BinlogPoint;
  /** @@gtid_binlog_pos (MariaDB) or @@gtid_executed (MySQL) at the snapshot, when it is exact. */
  gtid: string | null;
  /** How the position was tied to the snapshot: 'lock' (FTWRL), 'binlog_snapshot' (MariaDB, exact, no lock), 'before' (MySQL without RELOAD: at-least-once). */
  method: 'lock' | 'binlog_snapshot' | 'before';
}

/**
 * Opens a REPEATABLE READ transaction WITH CONSISTENT SNAPSHOT on `conn` and
 * returns the binlog position it corresponds to. With `lock`, FLUSH TABLES WITH
 * READ LOCK is held for the instant between the two (needs RELOAD); without it,
 * or when RELOAD is missing, MariaDB still gives the exact position of the
 * snapshot (binlog_snapshot_file/position), and MySQL the position read just
 * before the snapshot: changes between the two are then streamed again after
 * the snapshot rows that already contain them, which converges in the sink.
 */
export async function openConsistentSnapshot(conn: mysql.Connection, isMariaDb: boolean, lock: boolean, log: Logger): Promise<SnapshotPoint> {
  await conn.query('SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ');
  let locked = false;
  if (lock) {
    try {
      await conn.query('FLUSH TABLES WITH READ LOCK');
      locked = true;
    } catch (e) {
      const err = e as { code?: string; message?: string };
      if (err.code !== 'ER_SPECIFIC_ACCESS_DENIED_ERROR' && err.code !== 'ER_ACCESS_DENIED_ERROR' && err.code !== 'ER_DBACCESS_DENIED_ERROR') throw e;
      log.warn(`FLUSH TABLES WITH READ LOCK is not permitted (${err.message}); snapshot without the global lock (${isMariaDb ? 'exact: MariaDB reports the snapshot\'s binlog position' : 'changes committed while it opens may be applied twice'}). Grant RELOAD or set snapshot.locking.mode: none to silence this`);
    }
  }
  try {
    const before = !locked && !isMariaDb ? await masterStatus(conn) : null;
    await conn.query('START TRANSACTION WITH CONSISTENT SNAPSHOT');
    if (locked) {
      const point = await masterStatus(conn);
      const [[g]] = await conn.query<mysql.RowDataPacket[]>(isMariaDb ? 'SELECT @@GLOBAL.gtid_binlog_pos AS g' : 'SELECT @@GLOBAL.gtid_executed AS g');
      return { point, gtid: g?.g ? String(g.g).replace(/\s/g, '') : null, method: 'lock' };
    }
    if (isMariaDb) {
      const [rows] = await conn.query<mysql.RowDataPacket[]>("SHOW STATUS LIKE 'binlog_snapshot_%'");
      const get = (n: string) => rows.find((r) => String(r.Variable_name).toLowerCase() === n)?.Value;
      const file = get('binlog_snapshot_file');
      const pos = get('binlog_snapshot_position');
      if (file && pos) return { point: { file: String(file), pos: Number(pos) }, gtid: null, method: 'binlog_snapshot' };
    }
    return { point: before ?? (await masterStatus(conn)), gtid: null, method: 'before' };
  } finally {
    if (locked) await conn.query('UNLOCK TABLES');
  }
}

/**
 * A consistent read for a backfill: its position is not needed, because the
 * stream is replayed from before it (changes applied twice converge).
 */
export async function openBackfillSnapshot(conn: mysql.Connection): Promise<void> {
  await conn.query('SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ');
  await conn.query('START TRANSACTION WITH CONSISTENT SNAPSHOT');
}

/** SHOW MASTER STATUS (SHOW BINARY LOG STATUS on MySQL 8.4+). */
export async function masterStatus(conn: mysql.Connection): Promise<BinlogPoint> {
  let rows: mysql.RowDataPacket[];
  try {
    [rows] = await conn.query<mysql.RowDataPacket[]>('SHOW MASTER STATUS');
  } catch (e) {
    if ((e as { code?: string }).code !== 'ER_PARSE_ERROR') throw e;
    [rows] = await conn.query<mysql.RowDataPacket[]>('SHOW BINARY LOG STATUS');
  }
  if (!rows.length) throw new Error('SHOW MASTER STATUS returned nothing: the binary log is off');
  return { file: String(rows[0].File), pos: Number(rows[0].Position) };
}

type RawRow = (Buffer | null)[];

/** Column list of a snapshot read: FLOAT as DOUBLE, since the text protocol prints FLOAT with 6 digits only. */
export function selectList(schema: TableSchema): string {
  return schema.columns.map((c) => (c.type.kind === 'float32' ? `CAST(${quoteMysqlIdent(c.name)} AS DOUBLE)` : quoteMysqlIdent(c.name))).join(', ');
}

/** Decodes a row of raw column bytes (the text protocol's values) into logical values, in place. */
export function decodeSnapshotRow(raw: RawRow, schema: TableSchema, ctx: DecodeContext): unknown[] {
  const row = raw as unknown[];
  const cols = schema.columns;
  for (let i = 0; i < cols.length; i++) row[i] = decodeMysqlValue(raw[i], cols[i], ctx);
  return row;
}

/**
 * Reads one table inside the caller's consistent-snapshot transaction, in
 * primary-key order by keyset pages. Keyless tables are read by LIMIT/OFFSET
 * pages of the same snapshot and restart from their first row after a crash.
 */
export async function snapshotMysqlTable(
  conn: mysql.Connection,
  schema: TableSchema,
  /** See snapshotPrefix in mysql-position.ts. */
  positionPrefix: string,
  resume: { lastKey: Row | null; ordinal: number } | null,
  emitter: CaptureEmitter,
  fetchSize: number,
  signal: AbortSignal,
  decodeCtx: DecodeContext,
): Promise<number> {
  const keyCols = schema.primaryKey.map((k) => schema.columns.find((c) => c.name === k)!);
  const from = `${quoteMysqlIdent(schema.schema)}.${quoteMysqlIdent(schema.table)}`;
  const select = selectList(schema);
  const order = keyCols.map((c) => quoteMysqlIdent(c.name)).join(', ');
  // (a, b) > (x, y) spelled out, which every MySQL and MariaDB version turns into an index range.
  const after = (key: Row) =>
    keyCols
      .map((_, i) => '(' + keyCols.slice(0, i + 1).map((c, j) => `${quoteMysqlIdent(c.name)} ${j === i ? '>' : '='} ${mysqlLiteral(key[c.name], c)}`).join(' AND ') + ')')
      .join(' OR ');
  let offset = 0;
  const fetchPage = async (key: Row | null, limit: number): Promise<RawRow[]> => {
    const sql = keyCols.length
      ? `SELECT ${select} FROM ${from}${key ? ` WHERE ${after(key)}` : ''} ORDER BY ${order} LIMIT ${limit}`
      : `SELECT ${select} FROM ${from} LIMIT ${offset}, ${limit}`;
    offset += limit;
    const [rows] = await conn.query({ sql, rowsAsArray: true, typeCast: (field: { buffer(): Buffer | null }) => field.buffer() } as mysql.QueryOptions);
    return rows as unknown as RawRow[];
  };
  const keyIndexes = keyCols.map((c) => schema.columns.indexOf(c));
  return keysetSnapshot<RawRow, Row>({
    schema,
    fetchPage,
    keyOf: (raw) => {
      const key: Row = {};
      keyCols.forEach((c, i) => (key[c.name] = decodeMysqlValue(raw[keyIndexes[i]], c)));
      return key;
    },
    decode: (raw) => decodeSnapshotRow(raw, schema, decodeCtx),
    positionPrefix,
    // A keyless table restarts from its first row, but its ordinals go on: positions (and msg-ids) stay new.
    resume: resume ? { key: keyCols.length ? resume.lastKey : null, ordinal: resume.ordinal } : null,
    emitter,
    fetchSize,
    signal,
  });
}
