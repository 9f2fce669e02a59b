import type pg from 'pg';
import type { Pgoutput } from 'pg-logical-replication';
import type { SourceRef } from '../../shared/envelope.js';
import type { Logger } from '../../shared/log.js';
import type { TableSchema } from '../../shared/logical-types.js';
import { describeTable, listTables, type CatalogTable } from '../../shared/postgres/pg-catalog.js';
import { connectPg, pgClientConfig } from '../../shared/postgres/pg-connect.js';
import type { CaptureConnector, CaptureContext } from '../runtime/connector.js';
import type { PgCaptureOptions } from './pg-options.js';
import { formatLsn, parseLsn, parseSnapshotPosition, snapshotBase, snapshotPrefix, SnapshotSlot, type Lsn } from './pg-position.js';
import { checkServer, createSlot, ensurePublication, findSlot, selectTables } from './pg-setup.js';
import { snapshotTable } from './pg-snapshot.js';
import { streamChanges } from './pg-stream.js';
import { schemaVersion } from '../runtime/schema-version.js';
import { backfillJoinedAtStart, heldTables, tableName, type HeldTables } from '../runtime/backfill.js';
import { runSnapshotTables } from '../runtime/snapshot.js';

/** Snapshot bookkeeping kept in the capture's KV state. Row-level progress is read back from the stream tail. */
interface SnapshotState {
  slot: string;
  consistentPoint: string;
  /** "schema.table" in snapshot order; a row's position carries its index here. */
  tables: string[];
  done: boolean;
}

export function createPgCapture(name: string, address: string, opts: PgCaptureOptions, log: Logger): CaptureConnector {
  const config = pgClientConfig(address);
  const slot = opts['slot.name'] ?? `nilus_${name.toLowerCase().replace(/[^a-z0-9_]/g, '_')}`;
  const publication = opts['publication.name'] ?? slot;
  const source: SourceRef = { kind: 'postgres', name, db: String(config.database) };
  const stateKey = `capture.${name}.snapshot`;
  // The tables whose rows the stream holds (snapshotted or backfilled).
  const tablesKey = `capture.${name}.tables`;

  const describe = async (client: pg.Client, t: Pick<CatalogTable, 'oid' | 'schema' | 'table'>): Promise<TableSchema> => {
    const s = await describeTable(client, t, 0);
    return { ...s, version: schemaVersion(s) };
  };

  /** Publishes the planned tables' rows in one REPEATABLE READ transaction (the slot's exported snapshot, when given); false when a backfill was not read (see runSnapshotTables). */
  async function readTables(c: CaptureContext, r: { label: 'snapshot' | 'backfill'; names: string[]; picked: CatalogTable[]; point: Lsn; slot: SnapshotSlot; exported: string | null; markDone(): Promise<unknown> }): Promise<boolean> {
    const reader = await connectPg(address, 'source');
    try {
      await reader.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      if (r.exported) await reader.query(`SET TRANSACTION SNAPSHOT '${r.exported}'`);
      return await runSnapshotTables({
        ctx: c,
        log,
        label: r.label,
        details: { [r.label === 'snapshot' ? 'consistentPoint' : 'at']: formatLsn(r.point), exported: r.exported !== null },
        tables: r.names,
        picked: r.picked,
        base: snapshotBase(r.point, r.slot),
        parse: parseSnapshotPosition,
        snapshotTable: async (t, i, from) => snapshotTable(reader, await describe(reader, t), snapshotPrefix(r.point, i, r.slot), from, c.emitter, opts['snapshot.fetch.size'], c.signal),
        commit: () => reader.query('COMMIT'),
        markDone: r.markDone,
      });
    } finally {
      await reader.end().catch(() => {});
    }
  }

  return {
    source,
    async check() {
      const client = await connectPg(address, 'source');
      try {
        await checkServer(client);
        await selectTables(client, opts, log);
      } finally {
        await client.end();
      }
    },

    async describer() {
      const client = await connectPg(address, 'source');
      try {
        const tables = await listTables(client);
        return {
          async describe(schema, table) {
            const t = tables.find((x) => x.schema === schema && x.table === table);
            return t ? describe(client, t) : null;
          },
          close: () => client.end().catch(() => {}),
        };
      } catch (e) {
        await client.end().catch(() => {});
        throw e;
      }
    },

    async run(ctx: CaptureContext) {
      const client = await connectPg(address, 'source');
      try {
        await checkServer(client);
        const tables = await selectTables(client, opts, log);
        await ensurePublication(client, publication, tables, opts['publication.autocreate.mode']);
        let state = await ctx.state.get<SnapshotState>(stateKey);
        const existing = await findSlot(client, slot);
        if (existing?.active) throw Object.assign(new Error(`replication slot ${slot} is in use by another connection`), { code: '55006' });

        if (!existing) {
          const wantSnapshot = opts['snapshot.mode'] === 'initial';
          const created = await createSlot(config, slot, wantSnapshot);
          log.info({ slot, consistentPoint: created.consistentPoint }, 'created replication slot');
          state = { slot, consistentPoint: created.consistentPoint, tables: tables.map(tableName), done: !wantSnapshot };
          try {
            await ctx.state.put(stateKey, state);
            if (wantSnapshot) await runSnapshot(ctx, state, tables, created.snapshotName);
          } finally {
            await created.connection.end().catch(() => {});
          }
        } else if (!state || state.slot !== slot || !state.done) {
          if (!state || state.slot !== slot) {
            // A slot without snapshot state (state lost, or made by hand): snapshot again from its position, so nothing is missed.
            state = { slot, consistentPoint: existing.confirmedFlush ?? '0/0', tables: tables.map(tableName), done: opts['snapshot.mode'] === 'never' };
            await ctx.state.put(stateKey, state);
          }
          if (!state.done) await runSnapshot(ctx, state, tables, null);
        }
        if (ctx.signal.aborted) return;

        const slotNow = await findSlot(client, slot);
        const startLsn = parseLsn(slotNow?.confirmedFlush ?? '0/0');
        const held = await heldTables(ctx, tablesKey, state!.tables);
        // In the publication now but not in the stream: the include list was widened while the capture was stopped.
        const joined = await backfillJoinedAtStart(ctx, log, {
          picked: tables,
          held,
          snapshotMode: opts['snapshot.mode'],
          backfill: (picked) => backfill(ctx, picked, startLsn, SnapshotSlot.AT_START, held),
        });
        if (ctx.signal.aborted) return;
        log.info({ slot, from: slotNow?.confirmedFlush }, 'streaming changes');
        const cache = new Map<number, TableSchema>();
        await streamChanges({
          config,
          slot,
          publication,
          startLsn,
          emitter: ctx.emitter,
          afterCommit: joined.waiting
            ? (commitLsn) => {
                const due = joined.take(snapshotBase(commitLsn, SnapshotSlot.AFTER_TRANSACTION));
                return due.length ? backfill(ctx, due, commitLsn, SnapshotSlot.AFTER_TRANSACTION, held) : null;
              }
            : null,
          async describeRelation(rel: Pgoutput.MessageRelation) {
            const fromCatalog = await describe(client, { oid: rel.relationOid, schema: rel.schema, table: rel.name });
            // The relation message is what the changes use: its columns, in its order.
            const columns = rel.columns.map((c) => fromCatalog.columns.find((x) => x.name === c.name) ?? { name: c.name, type: { kind: 'text' as const }, nullable: true, nativeType: 'text' });
            const s = { ...fromCatalog, columns };
            const schema = { ...s, version: schemaVersion(s) };
            cache.set(rel.relationOid, schema);
            return schema;
          },
          heartbeatMs: opts['heartbeat.interval.ms'],
          log,
          signal: ctx.signal,
          publishFailed: ctx.publishFailed,
        });
      } finally {
        await client.end().catch(() => {});
      }

      async function runSnapshot(c: CaptureContext, st: SnapshotState, picked: CatalogTable[], exported: string | null) {
        const cp = parseLsn(st.consistentPoint);
        await readTables(c, { label: 'snapshot', names: st.tables, picked, point: cp, slot: SnapshotSlot.INITIAL, exported, markDone: () => c.state.put(stateKey, { ...st, done: true }) });
      }

      /**
       * Reads the rows of tables that joined after the snapshot, in a fresh
       * consistent read, as snapshot rows at `point`. The slot replays from
       * before the read, so changes it already holds are applied again after
       * it, which converges. One the stream holds in part goes on after the
       * tail's last key.
       */
      async function backfill(c: CaptureContext, picked: CatalogTable[], point: Lsn, slot: SnapshotSlot, held: HeldTables): Promise<boolean> {
        const names = picked.map(tableName);
        return readTables(c, { label: 'backfill', names, picked, point, slot, exported: null, markDone: () => held.add(names) });
      }
    },

    async lag() {
      const client = await connectPg(address, 'source');
      try {
        const { rows } = await client.query<{ lag: string | null }>('SELECT GREATEST(0, pg_wal_lsn_diff(pg_current_wal_lsn(), confirmed_flush_lsn))::text AS lag FROM pg_replication_slots WHERE slot_name = $1', [slot]);
        return rows[0]?.lag == null ? null : { bytes: Number(rows[0].lag) };
      } finally {
        await client.end();
      }
    },

    async close() {},
  };
}
