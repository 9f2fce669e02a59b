import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { startMariaDb, startNats, startPostgres, type NatsServer, type PgServer } from '../harness/index.js';

describe('test harness', () => {
  let pg: PgServer;
  let nats: NatsServer;

  before(async () => {
    [pg, nats] = await Promise.all([startPostgres({ settings: { max_connections: '42' } }), startNats()]);
  });

  after(async () => {
    await Promise.all([pg?.stop(), nats?.stop()]);
  });

  it('starts PostgreSQL with logical WAL and the requested settings', async () => {
    assert.deepEqual(await pg.query('SHOW wal_level'), [{ wal_level: 'logical' }]);
    assert.deepEqual(await pg.query('SHOW max_connections'), [{ max_connections: '42' }]);
  });

  it('creates databases reachable through url()', async () => {
    const url = await pg.createDatabase('harness_db');
    assert.equal(url, `postgres://postgres@127.0.0.1:${pg.port}/harness_db`);
    assert.deepEqual(await pg.query('SELECT current_database() AS db', 'harness_db'), [{ db: 'harness_db' }]);
  });

  it('restarts PostgreSQL on the same port after the postmaster is killed', async () => {
    await pg.query('SET synchronous_commit = on; CREATE TABLE survivor (id int); INSERT INTO survivor VALUES (1)');
    const port = pg.port;
    await pg.kill();
    await assert.rejects(pg.query('SELECT 1'));
    await pg.start();
    assert.equal(pg.port, port);
    assert.deepEqual(await pg.query('SELECT id FROM survivor'), [{ id: 1 }]);
  });

  it('keeps JetStream streams and messages across a NATS kill and restart', async () => {
    const nc = await connect({ servers: nats.url });
    const jsm = await jetstreamManager(nc);
    await jsm.streams.add({ name: 'HARNESS', subjects: ['harness.>'] });
    await jsm.jetstream().publish('harness.one', 'hello');
    await nc.close();

    await nats.kill();
    await nats.start();

    const nc2 = await connect({ servers: nats.url });
    try {
      const info = await (await jetstreamManager(nc2)).streams.info('HARNESS');
      assert.equal(info.state.messages, 1);
    } finally {
      await nc2.close();
    }
  });

  it('removes the temp dir on stop() unless asked to keep it', async () => {
    const server = await startNats();
    await server.stop({ keepData: true });
    assert.ok(existsSync(server.storeDir));
    await server.start();
    await server.stop();
    assert.ok(!existsSync(server.baseDir));
  });

  it('starts MariaDB with a row binlog that survives a kill', async () => {
    const db = await startMariaDb();
    try {
      assert.equal(await db.query("SELECT @@log_bin, @@binlog_format"), '1\tROW\n');
      await db.createDatabase('harness');
      await db.query('CREATE TABLE t (id int primary key); INSERT INTO t VALUES (7)', 'harness');
      await db.kill();
      await db.start();
      assert.equal(await db.query('SELECT id FROM t', 'harness'), '7\n');
    } finally {
      await db.stop();
    }
  });
});
