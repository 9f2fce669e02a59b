// Every table sink, one behaviour: snapshot rows (load steps) land in an empty
// table by the connector's bulk path, and a replay over rows already there (or
// a key read twice in one step) still ends with the last row of each key.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { rowPosition, type RowsBatch } from '../../shared/envelope.js';
import { createLogger } from '../../shared/log.js';
import type { TableSchema } from '../../shared/logical-types.js';
import { pgClientConfig } from '../../shared/postgres/pg-connect.js';
import { sinkFor } from '../../sink/index.js';
import type { ApplyStep, SinkConnector } from '../../sink/runtime/connector.js';
import { startMariaDb, startPostgres, type MariaDbServer, type PgServer } from '../harness/index.js';

const source = { kind: 'postgres', name: 'src', db: 'db' };
const keyed: TableSchema = {
  schema: 'public',
  table: 'keyed',
  version: 1,
  primaryKey: ['id'],
  columns: [
    { name: 'id', type: { kind: 'int64' }, nullable: false, nativeType: 'bigint' },
    { name: 'note', type: { kind: 'text' }, nullable: true, nativeType: 'text' },
  ],
};
const keyless: TableSchema = { ...keyed, table: 'keyless', primaryKey: [] };

const page = (t: TableSchema, ids: number[], note: (id: number) => string | null, firstOrdinal: number): RowsBatch => ({
  v: 1, source, schema: t.schema, table: t.table, schemaVersion: 1, capturedAt: 0, columns: ['id', 'note'],
  rows: ids.map((id) => [BigInt(id), note(id)]), positionPrefix: 'SNAP:0000', firstOrdinal,
});
const load = (t: TableSchema, ...pages: RowsBatch[]): ApplyStep => ({ kind: 'load', source, table: t, pages });
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

interface Case {
  scheme: 'postgres' | 'mysql';
  start(): Promise<{ address: string; rows(table: string, extra?: string): Promise<string[]>; stop(): Promise<void> }>;
}

const cases: Case[] = [
  {
    scheme: 'postgres',
    async start() {
      const server: PgServer = await startPostgres();
      const address = await server.createDatabase('dst');
      const client = new pg.Client(pgClientConfig(address));
      await client.connect();
      return {
        address,
        rows: async (table, extra = '') => (await client.query<{ r: string }>(`SELECT concat_ws('|', id, coalesce(note, 'NULL')${extra}) AS r FROM public.${table} ORDER BY id, note`)).rows.map((r) => r.r),
        stop: async () => {
          await client.end();
          await server.stop();
        },
      };
    },
  },
  {
    scheme: 'mysql',
    async start() {
      const server: MariaDbServer = await startMariaDb({ binlogFormat: 'OFF' });
      const address = await server.createDatabase('dst');
      const conn = await mysql.createConnection({ uri: address });
      return {
        address,
        rows: async (table, extra = '') => ((await conn.query(`SELECT CONCAT_WS('|', id, COALESCE(note, 'NULL')${extra}) AS r FROM dst.${table} ORDER BY id, note`))[0] as { r: string }[]).map((r) => r.r),
        stop: async () => {
          await conn.end();
          await server.stop();
        },
      };
    },
  },
];

for (const c of cases) {
  describe(`${c.scheme} sink: snapshot rows`, () => {
    let server: Awaited<ReturnType<Case['start']>>;
    const connectors: SinkConnector[] = [];
    const open = async (options: Record<string, unknown> = {}, name = 'mirror') => {
      const factory = sinkFor(c.scheme)!;
      const sink = await factory.create({ name, from: 'src', address: server.address, options }, factory.options.parse(options), createLogger('test', 'silent'));
      connectors.push(sink);
      await sink.open();
      return sink;
    };
    before(async () => {
      server = await c.start();
    });
    after(async () => {
      await Promise.allSettled(connectors.map((s) => s.close()));
      await server?.stop();
    });

    it('load into an empty table, then a replay over them, end with the last row of every key', async () => {
      const sink = await open();
      await sink.apply([{ kind: 'schema', source, table: keyed }, load(keyed, page(keyed, range(1, 60), (id) => `a${id}`, 1), page(keyed, range(61, 100), (id) => (id === 99 ? null : `a${id}`), 61))], 1);
      assert.equal((await server.rows('keyed')).length, 100);
      // Rows 51..100 again with new values, and key 120 twice in one step: the later row wins.
      await sink.apply([load(keyed, page(keyed, [...range(51, 120), 120], (id) => `b${id}`, 1))], 2);
      const rows = await server.rows('keyed');
      assert.equal(rows.length, 120);
      assert.deepEqual([rows[0], rows[49], rows[50], rows[98], rows[119]], ['1|a1', '50|a50', '51|b51', '99|b99', '120|b120']);
    });

    it('a replay far larger than a socket buffer whose first row is already there still ends with every row', async () => {
      const sink = await open({}, 'big');
      const t = { ...keyed, table: 'big_replay' };
      const filler = 'x'.repeat(200);
      await sink.apply([{ kind: 'schema', source, table: t }, load(t, page(t, range(1, 10), (id) => `a${id}`, 1))], 1);
      // ~13 MB of rows: the destination rejects the first one while most of the rest is still being sent.
      const ids = range(1, 60_000);
      await sink.apply([load(t, page(t, ids.slice(0, 30_000), (id) => `b${id}${filler}`, 1), page(t, ids.slice(30_000), (id) => `b${id}${filler}`, 30_001))], 2);
      const rows = await server.rows(t.table);
      assert.equal(rows.length, 60_000);
      assert.deepEqual([rows[0], rows[59_999]].map((r) => r.slice(0, 10)), ['1|b1xxxxxx', '60000|b600']);
    });

    it('a table without a key gets every row appended, replays included', async () => {
      const sink = await open({}, 'appender');
      const rows = page(keyless, range(1, 70), (id) => `k${id}`, 1);
      await sink.apply([{ kind: 'schema', source, table: keyless }, load(keyless, rows)], 1);
      await sink.apply([load(keyless, rows)], 2);
      assert.equal((await server.rows('keyless')).length, 140);
    });

    it('with metadata columns, each row records op r and its own snapshot position', async () => {
      const sink = await open({ 'metadata-columns': true }, 'meta');
      const t = { ...keyed, table: 'with_meta' };
      await sink.apply([{ kind: 'schema', source, table: t }, load(t, page(t, range(1, 80), (id) => `m${id}`, 5))], 1);
      const rows = await server.rows('with_meta', ', _nilus_op, _nilus_position');
      assert.equal(rows.length, 80);
      assert.deepEqual(rows.slice(0, 2), [`1|m1|r|${rowPosition('SNAP:0000', 5)}`, `2|m2|r|${rowPosition('SNAP:0000', 6)}`]);
    });
  });
}
