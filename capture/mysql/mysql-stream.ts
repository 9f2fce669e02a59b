import ZongJi from '@vlasky/zongji';
import type mysql from 'mysql2/promise';
import type { Change, Row } from '../../shared/envelope.js';
import { NilusError } from '../../shared/errors.js';
import type { Logger } from '../../shared/log.js';
import type { TableSchema } from '../../shared/logical-types.js';
import type { MysqlTable } from '../../shared/mysql/mysql-catalog.js';
import { decodeMysqlValue, type DecodeContext } from '../../shared/mysql/mysql-types.js';
import { tableName, type PendingBackfill } from '../runtime/backfill.js';
import type { CaptureEmitter } from '../runtime/emitter.js';
import { changePosition, snapshotBase, SnapshotSlot, type BinlogPoint } from './mysql-position.js';
import { tableGone } from './mysql-setup.js';

/** A durable resume point: where the binlog dump restarts (end of the last committed transaction). */
export interface BinlogCheckpoint extends BinlogPoint {
  /** GTID of that transaction (MariaDB domain-server-sequence, MySQL uuid:n), when the server has one. */
  gtid?: string;
}

export interface StreamArgs {
  config: mysql.ConnectionOptions;
  serverId: number;
  start: BinlogPoint;
  /** "database.table" of the tables captured at the start. */
  tables: string[];
  /** Whether the include/exclude lists pick a table (one created or renamed while streaming). */
  joins(t: MysqlTable): boolean;
  /** Tables that joined the capture while it was stopped, to be read after the first transaction past the stream tail. */
  deferred: PendingBackfill<MysqlTable>;
  /**
   * Tables joined the capture in the transaction that ends here (before its
   * checkpoint): the callee reads those marked `backfill` as snapshot rows
   * positioned after the transaction.
   */
  adopt(joined: JoinedTable[], at: BinlogPoint): Promise<void>;
  /** Table shape from information_schema, cached by the caller until invalidated; null when the table no longer exists. */
  describe(t: MysqlTable): Promise<TableSchema | null>;
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

/** A table that began to be captured: created (empty), or renamed in, or picked while the capture was stopped (`backfill`: it has rows the stream lacks). */
export interface JoinedTable {
  table: MysqlTable;
  backfill: boolean;
}

/** What a DDL statement means for the captured tables, decided in binlog order as zongji parses. */
interface DdlEffect {
  ddl: Ddl;
  /** Captured tables the statement names: their shape is read again. */
  touched: MysqlTable[];
  /** Tables empty at this point: truncated, or begun under a captured name by CREATE or RENAME … TO. */
  emptied: MysqlTable[];
  joined: JoinedTable[];
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

const EVENTS = ['rotate', 'gtid', 'mariadbgtid', 'query', 'xid', 'tablemap', 'writerows', 'updaterows', 'deleterows'];

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
  const captured = new Set(a.tables);
  let joined: JoinedTable[] = [];
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
  const describe = async (t: MysqlTable) => {
    const schema = await a.describe(t);
    if (!schema) throw tableGone(t);
    return schema;
  };
  // Tables that joined are adopted at the end of their transaction, before its checkpoint.
  const adopt = async (t: Txn) => {
    const at = { file, pos: t.pos };
    const due = joined;
    joined = [];
    for (const table of a.deferred.take(snapshotBase(at, SnapshotSlot.AFTER_TRANSACTION))) due.push({ table, backfill: true });
    const byName = new Map<string, JoinedTable>();
    for (const j of due) {
      const seen = byName.get(tableName(j.table));
      if (seen) seen.backfill ||= j.backfill;
      else byName.set(tableName(j.table), { ...j });
    }
    if (byName.size) await a.adopt([...byName.values()], at);
  };
  const commit = async (e: BinlogEvent) => {
    if (txn && (joined.length || a.deferred.waiting)) await adopt(txn);
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
        return handleQuery(e, e.nilusDdl as DdlEffect | undefined);
      case 'writerows':
      case 'updaterows':
      case 'deleterows':
        return handleRows(e);
      default:
        return;
    }
  };

  const handleQuery = async (e: BinlogEvent, fx: DdlEffect | undefined) => {
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
    if (fx) await handleDdl(fx);
    return commit(e);
  };

  const handleDdl = async (fx: DdlEffect) => {
    for (const t of fx.touched) {
      a.invalidate(t);
      if (fx.ddl.kind === 'DROP') a.log.info({ table: tableName(t) }, 'table dropped at the source: the destination keeps its rows');
      else if (fx.ddl.kind !== 'TRUNCATE') a.log.info({ table: tableName(t), ddl: fx.ddl.kind }, 'schema change: the table is described again before its next change');
    }
    if (fx.ddl.tables.length === 0) a.invalidate(null);
    for (const t of fx.emptied) {
      a.invalidate(t);
      // Gone again by now (a later DROP or RENAME in the binlog): nothing to empty.
      const schema = await a.describe(t);
      if (schema) await a.emitter.change(schema, { op: 't', ...base(txn!) });
    }
    joined.push(...fx.joined);
  };

  /** Runs as zongji parses, so the table filter changes before the next event's TableMap is read. */
  const effectOf = (ddl: Ddl): DdlEffect => {
    const touched = ddl.tables.filter((t) => captured.has(tableName(t)));
    const fx: DdlEffect = { ddl, touched, emptied: ddl.kind === 'TRUNCATE' ? [...touched] : [], joined: [] };
    const join = (t: MysqlTable, backfill: boolean) => {
      if (!a.joins(t)) return;
      captured.add(tableName(t));
      fx.emptied.push(t);
      fx.joined.push({ table: t, backfill });
    };
    if (ddl.kind === 'DROP') for (const t of touched) captured.delete(tableName(t));
    // IF NOT EXISTS on a table the capture has: a no-op at the source too.
    if (ddl.kind === 'CREATE') for (const t of ddl.tables) if (!(ddl.ifNotExists && captured.has(tableName(t)))) join(t, false);
    for (const [from, to] of ddl.renames ?? []) {
      captured.delete(tableName(from));
      join(to, true);
    }
    if (fx.joined.length) zongji.start({ includeEvents: EVENTS, includeSchema: schemaFilter(captured) });
    return fx;
  };

  const handleRows = async (e: BinlogEvent) => {
    const map = e.nilusTable as { parentSchema: string; tableName: string } | undefined;
    if (!map || !e.rows) return;
    const t = { schema: map.parentSchema, table: map.tableName };
    if (!txn) openTxn({ nextPosition: 0, timestamp: e.timestamp }, pendingGtid);
    const schema = await describe(t);
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
      const m = zongji.tableMap[e.tableId] as { parentSchema: string; tableName: string } | undefined;
      if (m && captured.has(`${m.parentSchema}.${m.tableName}`)) e.nilusTable = m;
    } else if (kind === 'query') {
      const ddl = parseDdl(String(e.query), String(e.schema ?? ''));
      // zongji caches column names by table id; a DDL may keep the id and change the columns.
      for (const t of ddl?.tables ?? []) {
        for (const [id, m] of Object.entries(zongji.tableMap as Record<string, { parentSchema: string; tableName: string }>)) {
          if (m.parentSchema === t.schema && m.tableName === t.table) delete (zongji.tableMap as Record<string, unknown>)[id];
        }
      }
      if (ddl) e.nilusDdl = effectOf(ddl);
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
      includeEvents: EVENTS,
      includeSchema: schemaFilter(captured),
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

export interface Ddl {
  kind: 'ALTER' | 'CREATE' | 'DROP' | 'RENAME' | 'TRUNCATE';
  /** Every table the statement names. */
  tables: MysqlTable[];
  /** RENAME TABLE and ALTER TABLE … RENAME: [from, to], in statement order. */
  renames?: [MysqlTable, MysqlTable][];
  /** CREATE TABLE IF NOT EXISTS: nothing happens when the table exists. */
  ifNotExists?: boolean;
}

/** The tables an ALTER/CREATE/DROP/RENAME/TRUNCATE TABLE statement touches; null for other statements. */
export function parseDdl(sql: string, defaultSchema: string): Ddl | null {
  const s = stripComments(sql);
  const name = (q: string): MysqlTable => {
    const parts = q.match(new RegExp(IDENT, 'g'))!.map((p) => (p.startsWith('`') ? p.slice(1, -1).replace(/``/g, '`') : p));
    return parts.length === 2 ? { schema: parts[0], table: parts[1] } : { schema: defaultSchema, table: parts[0] };
  };
  let m: RegExpExecArray | null;
  if ((m = new RegExp(`^ALTER\\s+(?:ONLINE\\s+|IGNORE\\s+)*TABLE\\s+(?:IF\\s+EXISTS\\s+)?(${QUALIFIED})`, 'i').exec(s))) {
    const from = name(m[1]);
    const rename = new RegExp(`\\bRENAME\\s+(?:TO\\s+|AS\\s+)?(${QUALIFIED})\\s*(?:,|$)`, 'i').exec(s.slice(m[0].length));
    if (!rename || /^(COLUMN|INDEX|KEY)$/i.test(rename[1])) return { kind: 'ALTER', tables: [from] };
    const to = name(rename[1]);
    return { kind: 'ALTER', tables: [from, to], renames: [[from, to]] };
  }
  if ((m = new RegExp(`^CREATE\\s+(?:OR\\s+REPLACE\\s+)?(?:TEMPORARY\\s+)?TABLE\\s+(IF\\s+NOT\\s+EXISTS\\s+)?(${QUALIFIED})`, 'i').exec(s))) {
    if (/\bTEMPORARY\b/i.test(m[0])) return { kind: 'CREATE', tables: [] };
    return { kind: 'CREATE', tables: [name(m[2])], ...(m[1] ? { ifNotExists: true } : {}) };
  }
  if ((m = new RegExp(`^TRUNCATE\\s+(?:TABLE\\s+)?(${QUALIFIED})`, 'i').exec(s))) return { kind: 'TRUNCATE', tables: [name(m[1])] };
  if ((m = /^DROP\s+(?:TEMPORARY\s+)?TABLE\s+(?:IF\s+EXISTS\s+)?([\s\S]*)$/i.exec(s))) {
    const list = m[1].replace(/\s+(RESTRICT|CASCADE)\s*$/i, '');
    return { kind: 'DROP', tables: (list.match(new RegExp(QUALIFIED, 'g')) ?? []).filter((x) => !/^(WAIT|NOWAIT)$/i.test(x)).map(name) };
  }
  if ((m = /^RENAME\s+TABLES?\s+([\s\S]*)$/i.exec(s))) {
    const renames: [MysqlTable, MysqlTable][] = [];
    for (const pair of m[1].split(/\s*,\s*(?=(?:[^`]*`[^`]*`)*[^`]*$)/)) {
      const p = new RegExp(`^(${QUALIFIED})\\s+TO\\s+(${QUALIFIED})`, 'i').exec(pair.trim());
      if (p) renames.push([name(p[1]), name(p[2])]);
    }
    return { kind: 'RENAME', tables: renames.flat(), renames };
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
