import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import { startMariaDb, startNats, type MariaDbServer } from '../harness/index.js';
import { runCli, waitFor, writeConfig } from '../support/daemons.js';
import { sql } from '../support/pg-compare.js';
import { changeItems, PG_ALL_TYPES, seedItems } from '../support/pg-fixtures.js';
import { compareTable, mysqlQuery, sameRows } from '../support/mysql-sink-compare.js';
import { startMySqlPipeline, type MySqlPipeline } from '../support/mysql-sink-pipeline.js';

// The types of the Postgres → Postgres test, plus a text key (MySQL cannot key a TEXT) and a table without a key.
const ALL_TYPES = `${PG_ALL_TYPES}
CREATE TABLE labels (code text PRIMARY KEY, n int);
CREATE TABLE log (msg text, n int);
ALTER TABLE log REPLICA IDENTITY FULL;`;

async function assertSame(p: MySqlPipeline, table: string): Promise<void> {
  const c = await compareTable(p.sourceUrl, p.destUrl, table);
  assert.ok(c, `${table} exists in the destination`);
  assert.deepEqual(c.destination, c.source, `${table}: destination rows equal the source's`);
}

describe('PostgreSQL → JetStream → MySQL (MariaDB)', () => {
  let maria: MariaDbServer;
  before(async () => {
    maria = await startMariaDb({ binlogFormat: 'OFF' });
  });
  after(() => maria?.stop());

  it('copies a snapshot, then streams inserts, updates (one leaving a TOASTed column untouched), deletes, a truncate and an added column, every type intact', async () => {
    const p = await startMySqlPipeline(maria);
    await sql(p.sourceUrl, ALL_TYPES);
    await seedItems(p.sourceUrl);
    await sql(p.sourceUrl, "INSERT INTO labels VALUES ('a', 1), ('A', 2), ('a ', 3), (repeat('é', 700), 4)");
    await sql(p.sourceUrl, "INSERT INTO log VALUES ('one', 1), ('two', 2), ('two', 2)");
    p.capture.start();
    p.sink.start();
    const daemons = [p.capture, p.sink];
    await waitFor('the snapshot to reach the destination', () => sameRows(p.sourceUrl, p.destUrl, 'items'), 120_000, daemons);
    for (const t of ['events', 'labels', 'log']) await waitFor(`${t} snapshot`, () => sameRows(p.sourceUrl, p.destUrl, t), 30_000, daemons);
    await assertSame(p, 'items');
    if (process.env.NILUS_SHOW_ROWS) console.log(JSON.stringify((await compareTable(p.sourceUrl, p.destUrl, 'items'))!.destination.slice(0, 3)));

    await changeItems(p.sourceUrl);
    await sql(p.sourceUrl, 'ALTER TABLE items ADD COLUMN extra numeric(10,2), ADD COLUMN added_at timestamptz');
    await sql(p.sourceUrl, "UPDATE items SET extra = id / 3.0, added_at = '2025-01-01 00:00:00.5+00' WHERE id % 3 = 0"); // TOASTed body still unchanged
    await sql(p.sourceUrl, "INSERT INTO items (id, name, extra) VALUES (500, 'after the new column', 12.5)");
    await sql(p.sourceUrl, 'TRUNCATE events');
    await sql(p.sourceUrl, "INSERT INTO events (kind) VALUES ('after-truncate')");
    await sql(p.sourceUrl, "UPDATE labels SET n = n * 10 WHERE code = 'A'; DELETE FROM labels WHERE code = 'a '; INSERT INTO labels VALUES ('a  ', 5)");
    await sql(p.sourceUrl, "DELETE FROM log WHERE ctid = (SELECT ctid FROM log WHERE msg = 'two' LIMIT 1); UPDATE log SET msg = 'uno' WHERE msg = 'one'; INSERT INTO log VALUES ('three', 3)");

    const tables = ['items', 'events', 'labels', 'log'];
    await waitFor('the stream to reach the destination', async () => {
      for (const t of tables) if (!(await sameRows(p.sourceUrl, p.destUrl, t))) return false;
      return true;
    }, 90_000, daemons);
    for (const t of tables) await assertSame(p, t);

    const toasted = await mysqlQuery(p.destUrl, 'SELECT id, LENGTH(body) AS len FROM items WHERE id % 5 = 0 AND id % 7 <> 0 AND id < 500');
    assert.ok(toasted.length > 50 && toasted.every((r) => Number(r.len) > 10_000), 'unchanged TOAST values kept their content');
    // Values MySQL cannot hold are NULL, the rest of the row is there.
    const [nan] = await mysqlQuery(p.destUrl, 'SELECT f8, free_num, day FROM items WHERE id = 6');
    assert.deepEqual({ ...nan }, { f8: null, free_num: '-0.000000000000000000000000001', day: null });
    const [{ offsets }] = await mysqlQuery(p.destUrl, "SELECT COUNT(*) AS offsets FROM _nilus_offsets WHERE consumer = 'mirror' AND stream_seq > 0");
    assert.equal(Number(offsets), 1);
    // The comparison is not vacuous: a microsecond off in one cell is seen.
    await mysqlQuery(p.destUrl, "UPDATE items SET clock = '23:59:59.999998' WHERE id = 1");
    assert.equal(await sameRows(p.sourceUrl, p.destUrl, 'items'), false);
  });

  it('parks rows the destination rejects on the dead-letter subject and keeps the rest flowing', async () => {
    const p = await startMySqlPipeline(maria);
    await sql(p.sourceUrl, 'CREATE TABLE stock (id int PRIMARY KEY, qty int); CREATE TABLE codes (code text PRIMARY KEY)');
    await mysqlQuery(p.destUrl, 'CREATE TABLE stock (id INT PRIMARY KEY, qty INT CHECK (qty >= 0))');
    p.capture.start();
    p.sink.start();
    await sql(p.sourceUrl, 'INSERT INTO stock VALUES (1, 5), (2, -1), (3, 7)');
    await sql(p.sourceUrl, "INSERT INTO stock VALUES (4, 9); INSERT INTO codes VALUES ('short'), (repeat('x', 800))"); // a text key longer than MySQL's 768-character key
    await waitFor('good rows', async () => (await mysqlQuery(p.destUrl, 'SELECT id FROM stock')).length === 3 && (await mysqlQuery(p.destUrl, 'SELECT code FROM codes').catch(() => [])).length === 1, 60_000, [p.capture, p.sink]);
    assert.deepEqual((await mysqlQuery(p.destUrl, 'SELECT id, qty FROM stock ORDER BY id')).map((r) => [r.id, r.qty]), [[1, 5], [3, 7], [4, 9]]);
    const nc = await connect({ servers: p.nats.url });
    try {
      const jsm = await jetstreamManager(nc);
      const stock = await jsm.streams.getMessage('NILUS_DLQ', { last_by_subj: 'nilus._dlq.mirror.public.stock' });
      assert.match(stock!.header.get('Nilus-Error'), /CONSTRAINT .*failed/);
      const codes = await jsm.streams.getMessage('NILUS_DLQ', { last_by_subj: 'nilus._dlq.mirror.public.codes' });
      assert.match(codes!.header.get('Nilus-Error'), /Data too long/);
    } finally {
      await nc.close();
    }
  });

  it('splits statements under max_allowed_packet and parks a row larger than it', async () => {
    const p = await startMySqlPipeline(maria);
    await maria.query('SET GLOBAL max_allowed_packet = 65536'); // for connections opened from now on
    try {
      await sql(p.sourceUrl, "CREATE TABLE docs (id int PRIMARY KEY, body text); INSERT INTO docs SELECT g, repeat(md5(g::text), 10) FROM generate_series(1, 3000) g");
      p.capture.start();
      p.sink.start();
      await waitFor('the snapshot (about 1 MB, in many statements)', () => sameRows(p.sourceUrl, p.destUrl, 'docs'), 60_000, [p.capture, p.sink]);
      await sql(p.sourceUrl, "INSERT INTO docs VALUES (5000, repeat('y', 100000)), (5001, 'small')");
      await waitFor('the small row', async () => (await mysqlQuery(p.destUrl, 'SELECT id FROM docs WHERE id > 3000')).length === 1, 60_000, [p.capture, p.sink]);
      const nc = await connect({ servers: p.nats.url });
      try {
        const parked = await (await jetstreamManager(nc)).streams.getMessage('NILUS_DLQ', { last_by_subj: 'nilus._dlq.mirror.public.docs' });
        assert.match(parked!.header.get('Nilus-Error'), /max_allowed_packet/);
      } finally {
        await nc.close();
      }
    } finally {
      await maria.query('SET GLOBAL max_allowed_packet = 16777216');
    }
  });

  it('soft-deletes and writes metadata columns when asked to', async () => {
    const p = await startMySqlPipeline(maria, { sinkOptions: { 'delete.mode': 'soft', 'metadata-columns': true } });
    await sql(p.sourceUrl, 'CREATE TABLE t (id int PRIMARY KEY, v text)');
    p.capture.start();
    p.sink.start();
    await sql(p.sourceUrl, "INSERT INTO t VALUES (1, 'a'), (2, 'b')");
    await waitFor('both rows', async () => (await mysqlQuery(p.destUrl, 'SELECT id FROM t').catch(() => [])).length === 2, 60_000, [p.capture, p.sink]);
    await sql(p.sourceUrl, 'DELETE FROM t WHERE id = 2');
    await waitFor('soft delete', async () => (await mysqlQuery(p.destUrl, 'SELECT id FROM t WHERE _nilus_deleted')).length === 1, 60_000, [p.capture, p.sink]);
    // Row 1 arrives by the snapshot (r) or the stream (c), depending on timing.
    const rows = await mysqlQuery(p.destUrl, "SELECT id, v, _nilus_deleted AS deleted, REPLACE(_nilus_op, 'r', 'c') AS op, _nilus_position IS NOT NULL AS pos, _nilus_synced_at IS NOT NULL AS synced FROM t ORDER BY id");
    assert.deepEqual(rows.map((r) => ({ ...r })), [
      { id: 1, v: 'a', deleted: 0, op: 'c', pos: 1, synced: 1 },
      { id: 2, v: 'b', deleted: 1, op: 'd', pos: 1, synced: 1 },
    ]);
  });

  it('writes each source schema into a database of its name when the address names none', async () => {
    const p = await startMySqlPipeline(maria, { noDatabase: true });
    await sql(p.sourceUrl, "CREATE SCHEMA sales; CREATE TABLE sales.orders (id int PRIMARY KEY, total numeric(12,2)); CREATE TABLE public.notes (id int PRIMARY KEY, v text)");
    await sql(p.sourceUrl, "INSERT INTO sales.orders VALUES (1, 9.99), (2, 1000000000.01); INSERT INTO public.notes VALUES (1, 'n')");
    p.capture.start();
    p.sink.start();
    const daemons = [p.capture, p.sink];
    await waitFor('sales.orders', () => sameRows(p.sourceUrl, maria.url('sales'), 'sales.orders'), 60_000, daemons);
    await waitFor('public.notes', () => sameRows(p.sourceUrl, maria.url('public'), 'public.notes'), 60_000, daemons);
    const [offset] = await mysqlQuery(maria.url('_nilus'), "SELECT stream_seq FROM _nilus_offsets WHERE consumer = 'mirror'");
    assert.ok(Number(offset.stream_seq) > 0, 'the offset lives in the _nilus database');
  });

  it('says the destination rejected the password, without printing it', async () => {
    const nats = await startNats();
    try {
      await maria.query("CREATE USER IF NOT EXISTS 'app'@'%' IDENTIFIED BY 'right-secret'");
      const file = writeConfig({ nats: { url: nats.url }, sink: { name: 'mirror', from: 'shop', address: `mysql://app:wrong-secret@127.0.0.1:${maria.port}/mysql` } });
      const r = await runCli(['sink', '-c', file]);
      assert.equal(r.code, 1, r.stderr);
      assert.match(r.stderr, /destination MySQL at 127\.0\.0\.1:\d+ .*rejected the login/);
      assert.match(r.stderr, /check the user and password/i);
      assert.ok(!r.stderr.includes('wrong-secret'));
      assert.ok(!/\n\s+at /.test(r.stderr), 'no stack trace');
    } finally {
      await nats.stop();
    }
  });
});
