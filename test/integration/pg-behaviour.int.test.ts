import { describe, it } from 'node:test';
import pg from 'pg';
import { pgClientConfig } from '../../shared/postgres/pg-connect.js';
import assert from 'node:assert/strict';
import { connect } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import { sameRows, sql, tableText } from '../support/pg-compare.js';
import { Daemon, runCli, waitFor, writeConfig } from '../support/daemons.js';
import { startPipeline } from '../support/pipeline.js';

describe('PostgreSQL pipeline behaviour', () => {
  it('parks a row the destination rejects on the dead-letter subject and keeps the rest flowing', async () => {
    const p = await startPipeline();
    await sql(p.sourceUrl, 'CREATE TABLE stock (id int PRIMARY KEY, qty int)');
    await sql(p.destUrl, 'CREATE TABLE stock (id int PRIMARY KEY, qty int CHECK (qty >= 0))');
    p.capture.start();
    p.sink.start();
    await sql(p.sourceUrl, 'INSERT INTO stock VALUES (1, 5), (2, -1), (3, 7)');
    await sql(p.sourceUrl, 'INSERT INTO stock VALUES (4, 9)');
    await waitFor('good rows', async () => (await tableText(p.destUrl, 'stock')).length === 3, 60_000, [p.capture, p.sink]);
    assert.deepEqual(await tableText(p.destUrl, 'stock'), [['1', '5'], ['3', '7'], ['4', '9']]);
    const nc = await connect({ servers: p.nats.url });
    try {
      const jsm = await jetstreamManager(nc);
      const parked = await jsm.streams.getMessage('NILUS_DLQ', { last_by_subj: 'nilus._dlq.replica.public.stock' });
      assert.match(parked!.header.get('Nilus-Error'), /check constraint/);
    } finally {
      await nc.close();
    }
  });

  it('a sink started before its capture waits for the stream, without failing sessions, then applies the snapshot', async () => {
    const p = await startPipeline();
    await sql(p.sourceUrl, 'CREATE TABLE early (id int PRIMARY KEY); INSERT INTO early SELECT generate_series(1, 100)');
    p.sink.start();
    await waitFor('the sink to wait for the stream', async () => p.sink.log.includes('waiting for stream NILUS_SHOP'), 30_000, [p.sink]);
    p.capture.start();
    await waitFor('the snapshot', () => sameRows(p.sourceUrl, p.destUrl, 'early'), 60_000, [p.capture, p.sink]);
    assert.ok(!p.sink.log.includes('failed; retrying'), p.sink.log);
  });

  it('soft-deletes and writes metadata columns when asked to', async () => {
    const p = await startPipeline({ sinkOptions: { 'delete.mode': 'soft', 'metadata-columns': true } });
    await sql(p.sourceUrl, 'CREATE TABLE t (id int PRIMARY KEY, v text)');
    p.capture.start();
    p.sink.start();
    await sql(p.sourceUrl, "INSERT INTO t VALUES (1, 'a'), (2, 'b')");
    await waitFor('both rows', async () => (await tableText(p.destUrl, '(SELECT id FROM t) x')).length === 2, 60_000, [p.capture, p.sink]);
    await sql(p.sourceUrl, 'DELETE FROM t WHERE id = 2');
    await waitFor('soft delete', async () => (await tableText(p.destUrl, '(SELECT id, v, _nilus_deleted, _nilus_op FROM t) x')).length === 2 && (await tableText(p.destUrl, '(SELECT id FROM t WHERE _nilus_deleted) x')).length === 1, 60_000, [p.capture, p.sink]);
    // Row 1 arrives by the snapshot (r) or the stream (c), depending on timing.
    const rows = await tableText(p.destUrl, "(SELECT id, v, _nilus_deleted, translate(_nilus_op, 'r', 'c'), _nilus_position IS NOT NULL, _nilus_synced_at IS NOT NULL FROM t) x");
    assert.deepEqual(rows, [['1', 'a', 'f', 'c', 't', 't'], ['2', 'b', 't', 'd', 't', 't']]);
  });

  it('adds a column the source gained mid-stream, and appends rows of a table without a key', async () => {
    const p = await startPipeline();
    await sql(p.sourceUrl, 'CREATE TABLE t (id int PRIMARY KEY, v text); CREATE TABLE log (msg text); ALTER TABLE log REPLICA IDENTITY FULL');
    p.capture.start();
    p.sink.start();
    await sql(p.sourceUrl, "INSERT INTO t VALUES (1, 'a'); INSERT INTO log VALUES ('one'), ('two'), ('two')");
    await sql(p.sourceUrl, "ALTER TABLE t ADD COLUMN extra numeric(10,2); INSERT INTO t VALUES (2, 'b', 12.5); UPDATE t SET extra = 1 WHERE id = 1");
    await sql(p.sourceUrl, "DELETE FROM log WHERE ctid = (SELECT ctid FROM log WHERE msg = 'two' LIMIT 1); UPDATE log SET msg = 'uno' WHERE msg = 'one'");
    await waitFor('schema change applied', () => sameRows(p.sourceUrl, p.destUrl, 't'), 60_000, [p.capture, p.sink]);
    await waitFor('keyless table', () => sameRows(p.sourceUrl, p.destUrl, 'log', 'msg'), 60_000, [p.capture, p.sink]);
  });

  it('backfills a table the include list gains across a restart, once, then streams it', async () => {
    const p = await startPipeline({ sourceOptions: { 'table.include.list': ['public\\.items'], 'snapshot.fetch.size': 100 } });
    await sql(p.sourceUrl, "CREATE TABLE items (id int PRIMARY KEY, v text); INSERT INTO items SELECT g, 'v' || g FROM generate_series(1, 100) g");
    await sql(p.sourceUrl, "CREATE TABLE audit (id int PRIMARY KEY, what text); INSERT INTO audit SELECT g, 'seed' FROM generate_series(1, 800) g");
    p.capture.start();
    p.sink.start();
    await waitFor('the snapshot', () => sameRows(p.sourceUrl, p.destUrl, 'items'), 60_000, [p.capture, p.sink]);
    await p.capture.stop();

    await sql(p.sourceUrl, "UPDATE audit SET what = 'while stopped' WHERE id <= 10; DELETE FROM audit WHERE id > 790");
    const widened = new Daemon('capture', writeConfig({ nats: { url: p.nats.url }, source: { name: 'shop', address: p.sourceUrl, options: { 'heartbeat.interval.ms': 500, 'table.include.list': ['public\\.items', 'public\\.audit'] } } }));
    widened.start();
    const daemons = [widened, p.sink];
    try {
      await waitFor('the table the include list gained', () => sameRows(p.sourceUrl, p.destUrl, 'audit'), 60_000, daemons);
      await sql(p.sourceUrl, "INSERT INTO audit VALUES (900, 'streamed'); UPDATE items SET v = 'after' WHERE id = 50");
      await waitFor('streaming of the gained table', () => sameRows(p.sourceUrl, p.destUrl, 'audit'), 60_000, daemons);
      await waitFor('streaming of the first table', () => sameRows(p.sourceUrl, p.destUrl, 'items'), 60_000, daemons);
      assert.match(widened.log, /tables joined the capture while it was stopped/);
      // A second restart reads nothing again.
      await widened.stop();
      widened.start();
      await sql(p.sourceUrl, "UPDATE audit SET what = 'restarted' WHERE id = 1");
      await waitFor('streaming after another restart', () => sameRows(p.sourceUrl, p.destUrl, 'audit'), 60_000, daemons);
      assert.equal(widened.log.split('backfill complete').length - 1, 1, widened.log.slice(-2000));
    } finally {
      await widened.stop();
    }
  });

  it('confirms exactly the positions the server reports, so a transaction whose commit record starts there survives a restart', async () => {
    // The destination on its own server: nothing else writes WAL between X's commit and Y's.
    const p = await startPipeline({ separateDestination: true });
    await sql(p.sourceUrl, 'CREATE TABLE t (id int PRIMARY KEY, v text)');
    p.capture.start();
    p.sink.start();
    await waitFor('streaming', async () => p.capture.log.includes('streaming changes'), 60_000, [p.capture, p.sink]);
    // Y writes its row first and commits last: its commit record is the next WAL record after X's commit,
    // at exactly the position confirmed for X (the server skips transactions whose commit starts before it).
    const y = new pg.Client(pgClientConfig(p.sourceUrl));
    await y.connect();
    try {
      await y.query("BEGIN; INSERT INTO t VALUES (2, 'y')");
      await sql(p.sourceUrl, "INSERT INTO t VALUES (1, 'x')");
      const xEnd = (await sql(p.sourceUrl, 'SELECT pg_current_wal_insert_lsn()::text AS l')).rows[0].l as string;
      const confirmed = async () => (await sql(p.sourceUrl, 'SELECT confirmed_flush_lsn::text AS l FROM pg_replication_slots')).rows[0].l as string;
      const lsn = (t: string) => BigInt(`0x${t.split('/')[0]}`) * 2n ** 32n + BigInt(`0x${t.split('/')[1]}`);
      await waitFor('X confirmed', async () => lsn(await confirmed()) >= lsn(xEnd), 30_000, [p.capture, p.sink]);
      await p.capture.stop();
      await y.query('COMMIT');
    } finally {
      await y.end();
    }
    p.capture.start();
    await waitFor('Y after the restart', () => sameRows(p.sourceUrl, p.destUrl, 't'), 30_000, [p.capture, p.sink]);
  });

  it('advances an idle slot with heartbeats, stops cleanly on SIGTERM, and reports status', async () => {
    const p = await startPipeline();
    await sql(p.sourceUrl, 'CREATE TABLE t (id int PRIMARY KEY)');
    p.capture.start();
    p.sink.start();
    await sql(p.sourceUrl, 'INSERT INTO t VALUES (1)');
    await waitFor('first row', () => sameRows(p.sourceUrl, p.destUrl, 't'), 60_000, [p.capture, p.sink]);
    // WAL written by another database: without heartbeats the idle slot would pin it.
    await sql(p.pg.url('postgres'), 'CREATE TABLE noise AS SELECT g FROM generate_series(1, 100000) g');
    const { rows } = await sql(p.sourceUrl, 'SELECT pg_current_wal_lsn()::text AS lsn');
    await waitFor('the idle slot to move past other databases\' WAL', async () => {
      const r = await sql(p.sourceUrl, 'SELECT confirmed_flush_lsn >= $1::pg_lsn AS ok FROM pg_replication_slots', [rows[0].lsn]);
      return r.rows[0].ok === true || r.rows[0].ok === 't';
    }, 30_000, [p.capture]);

    const status = await runCli(['status', '-c', p.configFile]);
    assert.equal(status.code, 0, status.stderr);
    assert.match(status.stdout, /stream NILUS_SHOP: \d+ messages/);
    assert.match(status.stdout, /consumer replica: ack floor \d+, pending 0/);
    assert.match(status.stdout, /replication lag \d+ bytes/);

    assert.equal(await p.capture.stop(), 0);
    assert.equal(await p.sink.stop(), 0);
  });
});
