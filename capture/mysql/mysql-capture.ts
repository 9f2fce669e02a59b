import { createHash } from 'node:crypto';
import type mysql from 'mysql2/promise';
import type { SourceRef } from '../../shared/envelope.js';
import { NilusError } from '../../shared/errors.js';
import type { Logger } from '../../shared/log.js';
import type { TableSchema } from '../../shared/logical-types.js';
import { describeMysqlTable, type MysqlTable } from '../../shared/mysql/mysql-catalog.js';
import { connectMysql, isMysqlConnectionLost, mysqlConnectionConfig } from '../../shared/mysql/mysql-connect.js';
import type { DecodeContext } from '../../shared/mysql/mysql-types.js';
import type { CaptureConnector, CaptureContext } from '../runtime/connector.js';
import { schemaVersion } from '../runtime/schema-version.js';
import { backfillJoinedAtStart, heldTables, tableName, type HeldTables } from '../runtime/backfill.js';
import { runSnapshotTables, type SnapshotResumePoint } from '../runtime/snapshot.js';
import type { MysqlCaptureOptions } from './mysql-options.js';
import { compareBinlogPoints, parseSnapshotPosition, snapshotBase, snapshotPrefix, SnapshotSlot, type BinlogPoint } from './mysql-position.js';
import { checkServer, selectTables, tableGone, tableMatcher, warnAboutRowMetadata } from './mysql-setup.js';
import { masterStatus, openBackfillSnapshot, openConsistentSnapshot, snapshotMysqlTable } from './mysql-snapshot.js';
import { streamBinlog, type BinlogCheckpoint } from './mysql-stream.js';

/** Snapshot bookkeeping in the capture's KV state. Row-level progress is read back from the stream tail. */
interface SnapshotState {
  /** Binlog position the snapshot corresponds to: streaming starts here. */
  point: BinlogPoint;
  gtid: string | null;
  /** "database.table" in snapshot order; a row's position carries its index here. */
  tables: string[];
  done: boolean;
}

/** A replication server id from the source name, away from the small ids servers use themselves. */
function defaultServerId(name: string): number {
  return 100_000 + (createHash('sha256').update(name).digest().readUInt32BE(0) % 2_000_000_000);
}

export function createMysqlCapture(name: string, address: string, opts: MysqlCaptureOptions, log: Logger): CaptureConnector {
  const config = mysqlConnectionConfig(address);
  const database = config.database;
  const source: SourceRef = { kind: 'mysql', name, db: database ?? '' };
  const snapshotKey = `capture.${name}.snapshot`;
  const binlogKey = `capture.${name}.binlog`;
  // The tables whose rows the stream holds (snapshotted, backfilled, or created while streaming).
  const tablesKey = `capture.${name}.tables`;
  const joins = tableMatcher(database, opts);
  const serverId = opts['server.id'] ?? defaultServerId(name);
  const warned = new Set<string>();
  const decodeCtx: DecodeContext = {
    warn(column, raw, replacement) {
      if (warned.has(column)) return;
      warned.add(column);
      log.warn({ column, value: raw, replacement }, `zero date ${raw} in column ${column} has no value outside MySQL: captured as ${replacement === null ? 'NULL' : replacement} (warned once per column)`);
    },
  };

  const describe = async (conn: mysql.Connection, t: MysqlTable): Promise<TableSchema | null> => {
    const s = await describeMysqlTable(conn, t);
    return s && { ...s, version: schemaVersion(s) };
  };
  /** The shape of a table the snapshot plan holds: it must still exist. */
  const describeExisting = async (conn: mysql.Connection, t: MysqlTable): Promise<TableSchema> => {
    const s = await describe(conn, t);
    if (!s) throw tableGone(t);
    return s;
  };

  return {
    source,
    async check() {
      const conn = await connectMysql(address, 'source');
      try {
        warnAboutRowMetadata(await checkServer(conn), log);
        await selectTables(conn, database, opts, log);
      } finally {
        await conn.end().catch(() => {});
      }
    },

    async describer() {
      const conn = await connectMysql(address, 'source');
      return { describe: (schema, table) => describe(conn, { schema, table }), close: () => conn.end().catch(() => conn.destroy()) };
    },

    async run(ctx: CaptureContext) {
      const conn = await connectMysql(address, 'source');
      try {
        await session(conn, ctx);
      } catch (e) {
        // A restarting or unreachable server: transient, the runtime starts a new session.
        if (isMysqlConnectionLost(e)) throw new NilusError('SOURCE_UNREACHABLE', `lost the connection to the source: ${(e as Error).message.replace(/\.$/, '')}`, 'the capture retries', { cause: e });
        throw e;
      } finally {
        await conn.end().catch(() => conn.destroy());
      }
    },

    async close() {},
  };

  async function session(conn: mysql.Connection, ctx: CaptureContext): Promise<void> {
    const server = await checkServer(conn);
    warnAboutRowMetadata(server, log);
    const tables = await selectTables(conn, database, opts, log);
    const names = tables.map(tableName);
    let state = await ctx.state.get<SnapshotState>(snapshotKey);
    let checkpoint = await ctx.state.get<BinlogCheckpoint>(binlogKey);

    if (!state) {
      if (opts['snapshot.mode'] === 'initial') {
        await runSnapshot(ctx, null, tables, server.isMariaDb);
        if (ctx.signal.aborted) return;
        state = await ctx.state.get<SnapshotState>(snapshotKey);
      } else {
        const point = await masterStatus(conn);
        state = { point, gtid: null, tables: names, done: true };
        await ctx.state.put(snapshotKey, state);
      }
    } else if (!state.done) {
      await runSnapshot(ctx, state, tables, server.isMariaDb);
      if (ctx.signal.aborted) return;
      state = await ctx.state.get<SnapshotState>(snapshotKey);
    }
    if (!state) throw new Error('snapshot state missing after the snapshot');
    if (!checkpoint || compareBinlogPoints(checkpoint, state.point) < 0) {
      checkpoint = { file: state.point.file, pos: state.point.pos, ...(state.gtid ? { gtid: state.gtid } : {}) };
    }
    await ensureBinlogAvailable(conn, checkpoint);

    const held = await heldTables(ctx, tablesKey, state.tables);
    const resumeAt = checkpoint;
    const deferred = await backfillJoinedAtStart(ctx, log, {
      picked: tables,
      held,
      snapshotMode: opts['snapshot.mode'],
      backfill: (joined) => backfill(ctx, joined, resumeAt, SnapshotSlot.AT_START, held),
    });
    if (ctx.signal.aborted) return;

    // Checkpoints arrive once per committed transaction: the KV write is coalesced to one per 100 ms.
    let latest: BinlogCheckpoint = checkpoint;
    let written: BinlogCheckpoint = checkpoint;
    let writing: Promise<void> = Promise.resolve();
    let timer: NodeJS.Timeout | null = null;
    const writeNow = () => {
      timer = null;
      const value = latest;
      if (value === written) return writing;
      writing = writing.then(() => ctx.state.put(binlogKey, value)).then(
        () => void (written = value),
        (e) => log.warn({ err: (e as Error).message }, 'could not save the binlog checkpoint; will retry with the next one'),
      );
      return writing;
    };
    const cache = new Map<string, TableSchema>();
    log.info({ from: `${checkpoint.file}:${checkpoint.pos}`, gtid: checkpoint.gtid ?? null, serverId, server: server.version }, 'streaming binlog');
    try {
      await streamBinlog({
        config,
        serverId,
        start: checkpoint,
        tables: names,
        joins,
        deferred,
        async adopt(joined, at) {
          const reads = opts['snapshot.mode'] === 'initial' ? joined.filter((j) => j.backfill).map((j) => j.table) : [];
          log.info({ tables: joined.map((j) => tableName(j.table)), backfill: reads.map(tableName), at: `${at.file}:${at.pos}` }, 'tables joined the capture');
          if (reads.length) await backfill(ctx, reads, at, SnapshotSlot.AFTER_TRANSACTION, held);
          await held.add(joined.map((j) => tableName(j.table)));
        },
        async describe(t) {
          const k = tableName(t);
          let s = cache.get(k);
          if (!s) {
            const d = await describe(conn, t);
            if (!d) return null;
            cache.set(k, (s = d));
          }
          return s;
        },
        invalidate(t) {
          if (t) cache.delete(tableName(t));
          else cache.clear();
        },
        emitter: ctx.emitter,
        checkpoint(c) {
          if (compareBinlogPoints(c, latest) <= 0) return;
          latest = c;
          timer ??= setTimeout(writeNow, 100);
        },
        decodeCtx,
        log,
        signal: ctx.signal,
        publishFailed: ctx.publishFailed,
      });
    } finally {
      // Drain the checkpoints of what is already durable (the runtime flushes the rest after we return).
      if (timer) clearTimeout(timer);
      await writeNow();
    }
  }

  async function runSnapshot(ctx: CaptureContext, prior: SnapshotState | null, picked: MysqlTable[], isMariaDb: boolean): Promise<void> {
    const reader = await connectMysql(address, 'source');
    try {
      const opened = await openConsistentSnapshot(reader, isMariaDb, opts['snapshot.locking.mode'] === 'minimal', log);
      const st: SnapshotState = prior ?? { point: opened.point, gtid: opened.gtid, tables: picked.map(tableName), done: false };
      if (!prior) await ctx.state.put(snapshotKey, st);
      await runSnapshotTables({
        ctx,
        log,
        details: { at: `${st.point.file}:${st.point.pos}`, method: opened.method },
        tables: st.tables,
        picked,
        base: snapshotBase(st.point, SnapshotSlot.INITIAL),
        parse: parseSnapshotPosition,
        snapshotTable: async (t, i, from) => readTable(reader, ctx, await describeExisting(reader, t), snapshotPrefix(st.point, i), from),
        commit: () => reader.query('COMMIT'),
        markDone: () => ctx.state.put(snapshotKey, { ...st, done: true }),
      });
    } finally {
      await reader.end().catch(() => reader.destroy());
    }
  }

  function readTable(reader: mysql.Connection, ctx: CaptureContext, schema: TableSchema, positionPrefix: string, from: SnapshotResumePoint | null): Promise<number> {
    return snapshotMysqlTable(reader, schema, positionPrefix, from, ctx.emitter, opts['snapshot.fetch.size'], ctx.signal, decodeCtx);
  }

  /**
   * Reads the rows of tables that joined the capture after its snapshot, in a
   * consistent read of the present, as snapshot rows positioned at `at`. The
   * stream is replayed from before the read, so changes it already contains
   * are applied again after it, which converges. A backfill the stream holds
   * whole (a DDL replayed after a crash) is not read again (false); one it
   * holds in part goes on after the tail's last key.
   */
  async function backfill(ctx: CaptureContext, picked: MysqlTable[], at: BinlogPoint, slot: SnapshotSlot, held: HeldTables): Promise<boolean> {
    const names = picked.map(tableName);
    const reader = await connectMysql(address, 'source');
    try {
      await openBackfillSnapshot(reader);
      // Described once: a table gone by now is left out (and logged as having left).
      const schemas = new Map<string, TableSchema>();
      for (const t of picked) {
        const s = await describe(reader, t);
        if (s) schemas.set(tableName(t), s);
      }
      return await runSnapshotTables({
        ctx,
        log,
        label: 'backfill',
        details: { at: `${at.file}:${at.pos}` },
        tables: names,
        picked: picked.filter((t) => schemas.has(tableName(t))),
        base: snapshotBase(at, slot),
        parse: parseSnapshotPosition,
        snapshotTable: (t, i, from) => readTable(reader, ctx, schemas.get(tableName(t))!, snapshotPrefix(at, i, slot), from),
        commit: () => reader.query('COMMIT'),
        markDone: () => held.add(names),
      });
    } finally {
      await reader.end().catch(() => reader.destroy());
    }
  }
}

/** The binlog file to resume from must still be on the server. */
async function ensureBinlogAvailable(conn: mysql.Connection, from: BinlogPoint): Promise<void> {
  const [logs] = await conn.query<mysql.RowDataPacket[]>('SHOW BINARY LOGS');
  if (logs.some((l) => String(l.Log_name) === from.file)) return;
  throw new NilusError(
    'SOURCE_NOT_CAPTURABLE',
    `the capture must resume from binlog ${from.file}:${from.pos}, but the source no longer has that file (it has ${logs.map((l) => l.Log_name).join(', ') || 'none'})`,
    'the binlog was purged before the capture read it (raise binlog_expire_logs_seconds / expire_logs_days); to start over with a new snapshot, delete the capture\'s keys capture.<name>.snapshot and capture.<name>.binlog from the nilus_state KV bucket',
  );
}
