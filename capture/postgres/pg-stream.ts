import type pg from 'pg';
import { LogicalReplicationService, PgoutputPlugin } from 'pg-logical-replication';
import type { Pgoutput } from 'pg-logical-replication';
import type { Change, Row } from '../../shared/envelope.js';
import type { Logger } from '../../shared/log.js';
import type { TableSchema } from '../../shared/logical-types.js';
import { decodePgText } from '../../shared/postgres/pg-text.js';
import type { CaptureEmitter } from '../runtime/emitter.js';
import { changePosition, formatLsn, parseLsn, previousLsn, type Lsn } from './pg-position.js';

/**
 * pgoutput, but column values stay the server's raw text: the library would
 * run them through pg's global type parsers (lossy for int8, numeric,
 * timestamps). Also counts received messages so "idle" can be told exactly.
 */
class RawPgoutputPlugin extends PgoutputPlugin {
  received = 0;
  override parse(buffer: Buffer): Pgoutput.Message {
    this.received++;
    const msg = super.parse(buffer);
    if (msg.tag === 'relation') for (const c of msg.columns) c.parser = (raw: unknown) => raw;
    return msg;
  }
}

export interface StreamArgs {
  config: pg.ClientConfig;
  slot: string;
  publication: string;
  /** Slot's confirmed position when the session starts: the first keepalive answer. */
  startLsn: Lsn;
  emitter: CaptureEmitter;
  /**
   * Runs once at the end of a transaction, before its checkpoint, until it
   * returns a promise (a backfill of tables that joined, positioned after that
   * transaction); null when there is nothing to run.
   */
  afterCommit: ((commitLsn: Lsn) => Promise<unknown> | null) | null;
  /** Table shape for a relation message (catalog lookup, cached by the caller). */
  describeRelation(rel: Pgoutput.MessageRelation): Promise<TableSchema>;
  heartbeatMs: number;
  log: Logger;
  signal: AbortSignal;
  publishFailed: Promise<Error>;
}

/**
 * Streams committed transactions from the slot into the emitter until aborted.
 * The slot's confirmed position moves only inside emitter checkpoints (after
 * PubAck), or to a keepalive's WAL end when nothing at all is pending — which
 * keeps an idle database from pinning WAL.
 */
export async function streamChanges(a: StreamArgs): Promise<void> {
  const service = new LogicalReplicationService(a.config, { acknowledge: { auto: false, timeoutSeconds: 0 }, flowControl: { enabled: true } });
  const plugin = new RawPgoutputPlugin({ protoVersion: 1, publicationNames: [a.publication] });
  let confirmed = a.startLsn;
  let processed = 0;
  let txn: { commitLsn: Lsn; xid: string; commitTs: number; index: number } | null = null;
  const relations = new Map<number, TableSchema>();
  let afterCommit = a.afterCommit;
  let failure: ((e: unknown) => void) | null = null;
  const failed = new Promise<never>((_, reject) => (failure = reject));
  failed.catch(() => {});

  // pg-logical-replication sends the LSN it is given plus one (a "last byte received" convention).
  // Our LSNs are already ends, and the server skips on restart every transaction whose commit
  // record starts before the confirmed LSN: one byte more would skip a commit starting right there.
  const acknowledge = (lsn: Lsn, ping = false) => service.acknowledge(formatLsn(previousLsn(lsn)), ping);
  // Positions only grow, so one status update per 20 ms carries every checkpoint in it
  // (one per transaction was a tenth of the capture's CPU while draining a backlog).
  let ackTimer: NodeJS.Timeout | null = null;
  const confirm = (lsn: Lsn) => {
    if (lsn <= confirmed) return;
    confirmed = lsn;
    ackTimer ??= setTimeout(() => {
      ackTimer = null;
      void acknowledge(confirmed);
    }, 20);
  };
  const idle = () => txn === null && plugin.received === processed && a.emitter.idle();

  /** Handles one message; a promise only when it has to wait (a catalog lookup, or the emitter sending). */
  const handle = (msg: Pgoutput.Message): void | Promise<void> => {
    switch (msg.tag) {
      case 'begin':
        txn = { commitLsn: parseLsn(msg.commitLsn!), xid: String(msg.xid), commitTs: Number((msg.commitTime as bigint) / 1000n), index: 0 };
        return;
      case 'relation':
        return a.describeRelation(msg).then((schema) => void relations.set(msg.relationOid, schema));
      case 'insert':
      case 'update':
      case 'delete': {
        const schema = relations.get(msg.relation.relationOid);
        if (schema) return a.emitter.change(schema, toChange(msg, schema, txn!));
        return a.describeRelation(msg.relation).then((s) => a.emitter.change(s, toChange(msg, s, txn!)));
      }
      case 'truncate':
        return (async () => {
          for (const rel of msg.relations) {
            const schema = relations.get(rel.relationOid) ?? (await a.describeRelation(rel));
            await a.emitter.change(schema, { op: 't', pos: changePosition(txn!.commitLsn, ++txn!.index), txid: txn!.xid, commitTs: txn!.commitTs });
          }
        })();
      case 'commit': {
        const end = parseLsn(msg.commitEndLsn!);
        const commitLsn = txn!.commitLsn;
        txn = null;
        const before = afterCommit?.(commitLsn);
        if (before) {
          afterCommit = null;
          return before.then(() => a.emitter.commit(() => confirm(end)));
        }
        return a.emitter.commit(() => confirm(end));
      }
      default:
        return; // origin, type (the parser caches it), logical messages
    }
  };

  // The library awaits what a listener returns before the next message (flow control): return a promise only when waiting.
  const done = () => void processed++;
  service.on('data', (_lsn: string, msg: Pgoutput.Message) => {
    try {
      const pending = handle(msg);
      if (!pending) return done();
      return pending.then(done, (e: unknown) => failure?.(e));
    } catch (e) {
      failure?.(e);
    }
  });
  service.on('heartbeat', (lsn: string, _ts: number, shouldRespond: boolean) => {
    if (idle()) confirm(parseLsn(lsn));
    else if (shouldRespond) void acknowledge(confirmed);
  });
  service.on('error', (e: unknown) => failure?.(e));
  // Ask for a keepalive now and then: its WAL end lets an idle slot advance.
  const heartbeat = setInterval(() => {
    if (idle()) void acknowledge(confirmed, true);
  }, a.heartbeatMs);
  const aborted = new Promise<void>((resolve) => a.signal.addEventListener('abort', () => resolve(), { once: true }));

  try {
    const streaming = service.subscribe(plugin, a.slot, formatLsn(a.startLsn)).then(() => {
      if (!a.signal.aborted) throw Object.assign(new Error('the replication connection closed'), { code: '08006' });
    });
    await Promise.race([streaming, failed, aborted, a.publishFailed.then((e) => Promise.reject(e))]);
    a.log.info('replication stream stopping');
  } finally {
    clearInterval(heartbeat);
    if (ackTimer) {
      clearTimeout(ackTimer);
      await acknowledge(confirmed).catch(() => false);
    }
    await service.destroy().catch(() => {});
  }
}

function toChange(msg: Pgoutput.MessageInsert | Pgoutput.MessageUpdate | Pgoutput.MessageDelete, schema: TableSchema, txn: { commitLsn: Lsn; xid: string; commitTs: number; index: number }): Change {
  const base = { pos: changePosition(txn.commitLsn, ++txn.index), txid: txn.xid, commitTs: txn.commitTs };
  switch (msg.tag) {
    case 'insert': {
      const { row } = decodeTuple(msg.new, schema);
      return { op: 'c', key: pickKey(row, schema), after: row, ...base };
    }
    case 'update': {
      const { row, unchanged } = decodeTuple(msg.new, schema);
      const before = msg.old ? decodeTuple(msg.old, schema).row : undefined;
      // The key before the update: sent by the server when it changed (or with REPLICA IDENTITY FULL).
      const oldKey = msg.key ? decodeTuple(msg.key, schema).row : before;
      const change: Change = { op: 'u', key: pickKey(oldKey ?? row, schema), after: row, ...base };
      if (before) change.before = before;
      if (unchanged.length) change.unchanged = unchanged;
      return change;
    }
    case 'delete': {
      const before = msg.old ? decodeTuple(msg.old, schema).row : undefined;
      const key = pickKey(msg.key ? decodeTuple(msg.key, schema).row : (before ?? {}), schema);
      return before ? { op: 'd', key, before, ...base } : { op: 'd', key, ...base };
    }
  }
}

/** Raw text → portable values. `undefined` is the parser's mark of an unchanged TOAST value. */
function decodeTuple(tuple: Record<string, unknown>, schema: TableSchema): { row: Row; unchanged: string[] } {
  const row: Row = {};
  const unchanged: string[] = [];
  for (const c of schema.columns) {
    if (!(c.name in tuple)) continue;
    const v = tuple[c.name];
    if (v === undefined) unchanged.push(c.name);
    else row[c.name] = v === null ? null : decodePgText(v as string, c.type);
  }
  return { row, unchanged };
}

function pickKey(row: Row, schema: TableSchema): Row {
  const key: Row = {};
  for (const k of schema.primaryKey) if (k in row) key[k] = row[k];
  return key;
}
