import ZongJi from '@vlasky/zongji';
import type mysql from 'mysql2/promise';
import type { Change, Row } from '../../shared/envelope.js';
import { NilusError } from '../../shared/errors.js';
import type { Logger } from '../../shared/log.js';
import type { TableSchema } from '../../shared/logical-types.js';
import type { MysqlTable } from '../../shared/mysql/mysql-catalog.js';
import { decodeMysqlValue, type DecodeContext } from '../../shared/mysql/mysql-types.js';
import type { CaptureEmitter } from '../runtime/emitter.js';
import { changePosition, type BinlogPoint } from './mysql-position.js';

/** A durable resume point: where the binlog dump restarts (end of the last committed transaction). */
export interface BinlogCheckpoint extends BinlogPoint {
  /** GTID of that transaction (MariaDB domain-server-sequence, MySQL uuid:n), when the server has one. */
  gtid?: string;
}

export interface StreamArgs {
  config: mysql.ConnectionOptions;
  serverId: number;
  start: BinlogPoint;
  /** "database.table" of the captured tables. */
  captured: Set<string>;
  /** Table shape from information_schema, cached by the caller until invalidated. */
  describe(t: MysqlTable): Promise<TableSchema>;
  /** A DDL statement touched this table (null: some table, unknown which). */
  invalidate(t: MysqlTable | null): void;
  emitter: CaptureEmitter;
  /** Runs after the PubAck of everything up to the end of a transaction. */
  checkpoint(c: BinlogCheckpoint): void;
  decodeCtx: DecodeContext;
  log: Logger;
  signal: AbortSignal;
  publishFailed: Promise<Error>;
}

interface Txn {
  pos: number;
  index: number;
  gtid?: string;
  ts: number;
}

// Events are queued while the emitter is busy; the binlog connection pauses above HIGH and resumes below LOW.
const HIGH_WATER = 2000;
const LOW_WATER = 200;

/* eslint-disable @typescript-eslint/no-explicit-any */
type BinlogEvent = any;

/**
 * Streams committed transactions from the binlog into the emitter until aborted.
 * A transaction's changes carry positions from its first event; its XID (or
 * COMMIT, or a DDL statement, which commits by itself) ends it, and the
 * checkpoint moves to the end of that event only after PubAck.
 */
export async function streamBinlog(a: StreamArgs): Promise<void> {
  const zongji = new ZongJi(a.config);
  let file = a.start.file;
  let lastPos = a.start.pos;
  let txn: Txn | null = null;
  let pendingGtid: string | undefined;
  const queue: BinlogEvent[] = [];
  let draining = false;
  let paused = false;
  let fail!: (e: unknown) => void;
  const failed = new Promise<never>((_, reject) => (fail = reject));
  failed.catch(() => {});

  const openTxn = (e: BinlogEvent, gtid?: string) => {
    if (e.nextPosition > 0) lastPos = e.nextPosition;
    txn = { pos: lastPos, index: 0, gtid, ts: e.timestamp };
  };
  const base = (t: Txn) => ({ pos: changePosition(file, t.pos, ++t.index), txid: t.gtid ?? `${file}:${t.pos}`, commitTs: t.ts });
  const commit = async (e: BinlogEvent) => {
    if (e.nextPosition > 0) lastPos = e.nextPosition;
    const end: BinlogCheckpoint = { file, pos: lastPos, ...(txn?.gtid ? { gtid: txn.gtid } : {}) };
    txn = null;
    await a.emitter.commit(() => a.checkpoint(end));
  };

  const handle = async (e: BinlogEvent) => {
    switch (e.getEventName()) {
      case 'rotate':
        file = e.binlogName;
        lastPos = e.position;
        return;
      case 'mariadbgtid':
        return openTxn(e, `${e.domainId}-${e.serverId}-${e.seqNo}`);
      case 'gtid':
        pendingGtid = typeof e.gtid === 'string' ? e.gtid : undefined;
        return;
      case 'xid':
        return commit(e);
      case 'query':
        return handleQuery(e);
      case 'writerows':
      case 'updaterows':
      case 'deleterows':
        return handleRows(e);
      default:
        return;
    }
  };

  const handleQuery = async (e: BinlogEvent) => {
    const sql = stripComments(String(e.query));
    if (/^BEGIN\b/i.test(sql) || /^XA\s+START\b/i.test(sql)) {
      // MySQL: GTID event, then BEGIN. MariaDB: its GTID event already opened the transaction.
      if (!txn) openTxn(e, pendingGtid);
      pendingGtid = undefined;
      return;
    }
    if (/^(COMMIT|XA\s+COMMIT|XA\s+END|XA\s+PREPARE)\b/i.test(sql)) return commit(e);
    if (/^(ROLLBACK|SAVEPOINT|RELEASE\s+SAVEPOINT|XA\s+ROLLBACK)\b/i.test(sql)) return;
    // Anything else is a statement that commits by itself (DDL, GRANT, …).
    if (!txn) openTxn(e, pendingGtid);
    pendingGtid = undefined;
    const ddl = parseDdl(sql, String(e.schema ?? ''));
    if (ddl) {
      for (const t of ddl.tables) {
        if (!a.captured.has(`${t.schema}.${t.table}`)) continue;
        a.invalidate(t);
        if (ddl.kind === 'TRUNCATE') {
          const schema = await a.describe(t);
          await a.emitter.change(schema, { op: 't', ...base(txn!) });
        } else {
          a.log.info({ table: `${t.schema}.${t.table}`, ddl: ddl.kind }, 'schema change: the table is described again before its next change');
        }
      }
      if (ddl.tables.length === 0) a.invalidate(null);
    }
    return commit(e);
  };

  const handleRows = async (e: BinlogEvent) => {
    const map = e.nilusTable as { parentSchema: string; tableName: string } | undefined;
    if (!map || !e.rows) return;
    const t = { schema: map.parentSchema, table: map.tableName };
    if (!a.captured.has(`${t.schema}.${t.table}`)) return;
    if (!txn) openTxn({ nextPosition: 0, timestamp: e.timestamp }, pendingGtid);
    const schema = await a.describe(t);
    const name = e.getEventName();
    for (const r of e.rows as Record<string, unknown>[]) {
      let change: Change;
      if (name === 'writerows') {
        const after = decodeRow(r, schema, a.decodeCtx);
        change = { op: 'c', key: pickKey(after, schema), after, ...base(txn!) };
      } else if (name === 'updaterows') {
        const u = r as unknown as { before: Record<string, unknown>; after: Record<string, unknown> };
        const before = decodeRow(u.before, schema, a.decodeCtx);
        const after = decodeRow(u.after, schema, a.decodeCtx);
        change = { op: 'u', key: pickKey(before, schema), before, after, ...base(txn!) };
      } else {
        const before = decodeRow(r, schema, a.decodeCtx);
        change = { op: 'd', key: pickKey(before, schema), before, ...base(txn!) };
      }
      await a.emitter.change(schema, change);
    }
  };

  const drain = async () => {
    draining = true;
    try {
      while (queue.length > 0) {
        if (a.signal.aborted) return;
        await handle(queue.shift());
        if (paused && queue.length < LOW_WATER) {
          paused = false;
          zongji.connection?.resume();
        }
      }
    } catch (e) {
      fail(e);
    } finally {
      draining = false;
    }
  };

  // Runs in binlog order as zongji parses, ahead of the (async) handling: what depends on zongji's
  // table cache is settled here, before a later TableMap event can replace the entry.
  zongji.on('binlog', (e: BinlogEvent) => {
    const kind = e.getEventName();
    if (kind === 'writerows' || kind === 'updaterows' || kind === 'deleterows') {
      e.nilusTable = zongji.tableMap[e.tableId];
    } else if (kind === 'query') {
      // zongji caches column names by table id; a DDL may keep the id and change the columns.
      const ddl = parseDdl(String(e.query), String(e.schema ?? ''));
      for (const t of ddl?.tables ?? []) {
        for (const [id, m] of Object.entries(zongji.tableMap as Record<string, { parentSchema: string; tableName: string }>)) {
          if (m.parentSchema === t.schema && m.tableName === t.table) delete (zongji.tableMap as Record<string, unknown>)[id];
        }
      }
    }
    queue.push(e);
    if (!paused && queue.length > HIGH_WATER) {
      paused = true;
      zongji.connection?.pause();
    }
    if (!draining) void drain();
  });
  zongji.on('error', (e: unknown) => fail(describeBinlogError(e, a.start)));
  const aborted = new Promise<void>((resolve) => a.signal.addEventListener('abort', () => resolve(), { once: true }));
  try {
    zongji.start({
      serverId: a.serverId,
      filename: a.start.file,
      position: a.start.pos,
      includeEvents: ['rotate', 'gtid', 'mariadbgtid', 'query', 'xid', 'tablemap', 'writerows', 'updaterows', 'deleterows'],
      includeSchema: schemaFilter(a.captured),
    });
    await Promise.race([failed, aborted, a.publishFailed.then((e) => Promise.reject(e))]);
    a.log.info('binlog stream stopping');
  } finally {
    zongji.stop();
  }
}

function decodeRow(r: Record<string, unknown>, schema: TableSchema, ctx: DecodeContext): Row {
  const row: Row = {};
  for (const c of schema.columns) if (c.name in r) row[c.name] = decodeMysqlValue(r[c.name], c, ctx);
  return row;
}

function pickKey(row: Row, schema: TableSchema): Row {
  const key: Row = {};
  for (const k of schema.primaryKey) if (k in row) key[k] = row[k];
  return key;
}

/** zongji's table filter: only TableMap and row events of the captured tables are decoded. */
function schemaFilter(captured: Set<string>): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const name of captured) {
    const dot = name.indexOf('.');
    (out[name.slice(0, dot)] ??= []).push(name.slice(dot + 1));
  }
  return out;
}

function stripComments(sql: string): string {
  return sql.replace(/\/\*(?!!)[\s\S]*?\*\//g, ' ').replace(/^\s*(--|#)[^\n]*\n/gm, '').trim();
}

const IDENT = '(?:`(?:[^`]|``)+`|[\\w$\\u0080-\\uffff]+)';
const QUALIFIED = `${IDENT}(?:\\s*\\.\\s*${IDENT})?`;

/** The tables an ALTER/CREATE/DROP/RENAME/TRUNCATE TABLE statement touches; null for other statements. */
export function parseDdl(sql: string, defaultSchema: string): { kind: 'ALTER' | 'CREATE' | 'DROP' | 'RENAME' | 'TRUNCATE'; tables: MysqlTable[] } | null {
  const s = stripComments(sql);
  const name = (q: string): MysqlTable => {
    const parts = q.match(new RegExp(IDENT, 'g'))!.map((p) => (p.startsWith('`') ? p.slice(1, -1).replace(/``/g, '`') : p));
    return parts.length === 2 ? { schema: parts[0], table: parts[1] } : { schema: defaultSchema, table: parts[0] };
  };
  let m: RegExpExecArray | null;
  if ((m = new RegExp(`^ALTER\\s+(?:ONLINE\\s+|IGNORE\\s+)*TABLE\\s+(?:IF\\s+EXISTS\\s+)?(${QUALIFIED})`, 'i').exec(s))) {
    const tables = [name(m[1])];
    const rename = new RegExp(`\\bRENAME\\s+(?:TO\\s+|AS\\s+)?(${QUALIFIED})\\s*(?:,|$)`, 'i').exec(s.slice(m[0].length));
    if (rename && !/^(COLUMN|INDEX|KEY)$/i.test(rename[1])) tables.push(name(rename[1]));
    return { kind: 'ALTER', tables };
  }
  if ((m = new RegExp(`^CREATE\\s+(?:OR\\s+REPLACE\\s+)?(?:TEMPORARY\\s+)?TABLE\\s+(?:IF\\s+NOT\\s+EXISTS\\s+)?(${QUALIFIED})`, 'i').exec(s))) {
    return /\bTEMPORARY\b/i.test(m[0]) ? { kind: 'CREATE', tables: [] } : { kind: 'CREATE', tables: [name(m[1])] };
  }
  if ((m = new RegExp(`^TRUNCATE\\s+(?:TABLE\\s+)?(${QUALIFIED})`, 'i').exec(s))) return { kind: 'TRUNCATE', tables: [name(m[1])] };
  if ((m = /^DROP\s+(?:TEMPORARY\s+)?TABLE\s+(?:IF\s+EXISTS\s+)?([\s\S]*)$/i.exec(s))) {
    const list = m[1].replace(/\s+(RESTRICT|CASCADE)\s*$/i, '');
    return { kind: 'DROP', tables: (list.match(new RegExp(QUALIFIED, 'g')) ?? []).filter((x) => !/^(WAIT|NOWAIT)$/i.test(x)).map(name) };
  }
  if ((m = /^RENAME\s+TABLES?\s+([\s\S]*)$/i.exec(s))) {
    const tables: MysqlTable[] = [];
    for (const pair of m[1].split(/\s*,\s*(?=(?:[^`]*`[^`]*`)*[^`]*$)/)) {
      const p = new RegExp(`^(${QUALIFIED})\\s+TO\\s+(${QUALIFIED})`, 'i').exec(pair.trim());
      if (p) tables.push(name(p[1]), name(p[2]));
    }
    return { kind: 'RENAME', tables };
  }
  if (/^(ALTER|CREATE|DROP|RENAME)\s/i.test(s)) return null;
  return null;
}

function describeBinlogError(e: unknown, start: BinlogPoint): unknown {
  const err = e as { errno?: number; code?: string; message?: string };
  if (err?.errno === 1236 || err?.code === 'ER_MASTER_FATAL_ERROR_READING_BINLOG') {
    return new NilusError(
      'SOURCE_NOT_CAPTURABLE',
      `the source cannot send its binlog from ${start.file}:${start.pos}: ${err.message}`,
      'the binlog the capture needs was purged (raise binlog_expire_logs_seconds / expire_logs_days); to start over with a new snapshot, delete the capture\'s keys from the nilus_state KV bucket (nats kv del nilus_state capture.<name>.binlog and capture.<name>.snapshot)',
      { cause: e },
    );
  }
  if (err?.errno === 1045 || err?.errno === 1227 || err?.code === 'ER_SPECIFIC_ACCESS_DENIED_ERROR') {
    return new NilusError('SOURCE_NOT_CAPTURABLE', `the source refused the binlog dump: ${err.message}`, 'grant REPLICATION SLAVE ON *.* to the capture user', { cause: e });
  }
  return e;
}
