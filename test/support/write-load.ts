// A running write load on a source table `items (id, qty, note)`, and the crash choreography the chaos tests share.
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { connectMysql } from '../../shared/mysql/mysql-connect.js';
import { pgClientConfig } from '../../shared/postgres/pg-connect.js';
import { waitFor, type Daemon } from './daemons.js';

/** A statement and its parameters, in the placeholder syntax of the target. */
type Statement = [sql: string, params: unknown[]];

export interface LoadConnection {
  query(sql: string, params: unknown[]): Promise<unknown>;
  end(): Promise<void>;
  /** Drops a connection that failed. */
  destroy(): void;
}

/** Where the load writes and how: the SQL runner, the statements over `items`, and the rows they touch. */
export interface LoadTarget {
  connect(): Promise<LoadConnection>;
  insert(id: number, qty: number, note: string): Statement;
  update(id: number, note: string): Statement;
  remove(id: number): Statement;
  /** The note of inserted rows. */
  note: string;
  /** Updates and deletes pick an id in 1..keys. */
  keys: number;
  /** Reconnects through server restarts; else the first error ends the load and stop() rejects with it. */
  reconnect: boolean;
}

/** Single-row transactions (insert, update, delete) until stopped; returns how many committed. */
export function writeLoad(t: LoadTarget): { stop(): Promise<number> } {
  let running = true;
  let count = 0;
  const done = (async () => {
    let conn: LoadConnection | null = null;
    let next = 1_000_000;
    while (running) {
      try {
        conn ??= await t.connect();
        const r = Math.random();
        const [sql, params] =
          r < 0.5 ? t.insert(next++, Math.floor(Math.random() * 1000), t.note) : r < 0.85 ? t.update(Math.floor(Math.random() * t.keys) + 1, `u${count}`) : t.remove(Math.floor(Math.random() * t.keys) + 1);
        await conn.query(sql, params);
        count++;
      } catch (e) {
        if (!t.reconnect) throw e;
        // The server is restarting: reconnect.
        conn?.destroy();
        conn = null;
        await sleep(200);
      }
    }
    if (t.reconnect) await conn?.end().catch(() => {});
    else await conn?.end();
    return count;
  })();
  return {
    async stop() {
      running = false;
      return done;
    },
  };
}

/** The PostgreSQL source table the load writes to, with PG_LOAD_KEYS rows of 200 characters (enough for a snapshot a kill can land in). */
export const PG_LOAD_TABLE = "CREATE TABLE items (id bigint PRIMARY KEY, qty int, note text); INSERT INTO items SELECT g, g % 100, repeat('x', 200) FROM generate_series(1, 100000) g";
const PG_LOAD_KEYS = 100_000;

/** A write load on a PostgreSQL `items` (see PG_LOAD_TABLE), on one connection. */
export function pgWriteLoad(url: string): { stop(): Promise<number> } {
  return writeLoad({
    async connect() {
      const client = new pg.Client(pgClientConfig(url));
      await client.connect();
      return { query: (sql, params) => client.query(sql, params), end: () => client.end(), destroy: () => {} };
    },
    insert: (id, qty, note) => ['INSERT INTO items (id, qty, note) VALUES ($1, $2, $3)', [id, qty, note]],
    update: (id, note) => ['UPDATE items SET qty = qty + 1, note = $2 WHERE id = $1', [id, note]],
    remove: (id) => ['DELETE FROM items WHERE id = $1', [id]],
    note: 'live',
    keys: PG_LOAD_KEYS,
    reconnect: false,
  });
}

/** A write load on a MySQL `items (id, qty, note)`, reconnecting through server restarts; updates and deletes pick ids 1..30000. */
export function mysqlWriteLoad(url: string): { stop(): Promise<number> } {
  return writeLoad({
    async connect() {
      const conn = await connectMysql(url, 'source');
      return { query: (sql, params) => conn.query(sql, params), end: () => conn.end(), destroy: () => conn.destroy() };
    },
    insert: (id, qty, note) => ['INSERT INTO items (id, qty, note) VALUES (?, ?, ?)', [id, qty, note]],
    update: (id, note) => ['UPDATE items SET qty = qty + 1, note = ? WHERE id = ?', [note, id]],
    remove: (id) => ['DELETE FROM items WHERE id = ?', [id]],
    note: 'live 😀',
    keys: 30_000,
    reconnect: true,
  });
}

/**
 * Starts the capture (or, for a backfill, runs `begin`, which makes a running
 * capture read a table), kills it with -9 while those rows are being
 * published, starts it again and waits for them to complete. Fails, rather
 * than passing vacuously, when the kill came too late (the read was done) or
 * the second run started over instead of resuming from the stream tail.
 */
export async function killDuringSnapshot(capture: Daemon, table: string, daemons: Daemon[], read: { label: 'snapshot' | 'backfill'; begin(): Promise<unknown> } = { label: 'snapshot', begin: async () => capture.start() }): Promise<void> {
  const { label } = read;
  await read.begin();
  await waitFor(`the ${label} to start`, async () => capture.log.includes(`${label} starting`), 60_000, daemons);
  await sleep(200);
  await capture.kill9();
  assert.ok(!capture.log.includes(`${label} complete`), `the ${label} completed before the kill: seed more rows or lower snapshot.fetch.size`);
  capture.log = '';
  capture.start();
  await waitFor(`the ${label} to complete`, async () => capture.log.includes(`${label} complete`), 120_000, daemons);
  const resumed = new RegExp(`"resumeFrom":"${table.replace('.', '\\.')}","resumeAfterRow":[1-9]`);
  assert.match(capture.log, resumed, 'the interrupted snapshot did not resume after the rows the stream holds');
}

/** A server the pipeline depends on that a test crashes and brings back (NATS, the source database). */
export interface Restartable {
  kill(): Promise<void>;
  start(): Promise<void>;
}

/**
 * While streaming: kills the capture with -9 and restarts it, then the sink,
 * then crashes and restarts `server`, then kills the capture once more. Waits
 * `afterServerMs` after the server is back and `settleMs` at the end.
 */
export async function crashWhileStreaming(p: { capture: Daemon; sink: Daemon }, server: Restartable, timing: { afterServerMs: number; settleMs: number }): Promise<void> {
  await sleep(2000);
  await p.capture.kill9();
  await sleep(500);
  p.capture.start();
  await sleep(2000);
  await p.sink.kill9();
  p.sink.start();
  await sleep(1500);
  await server.kill();
  await sleep(1000);
  await server.start();
  await sleep(timing.afterServerMs);
  await p.capture.kill9();
  p.capture.start();
  await sleep(timing.settleMs);
}
