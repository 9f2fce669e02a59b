import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { waitFor } from '../support/daemons.js';
import { mysqlPgDifference, mysqlQuery, mysqlSql } from '../support/mysql-compare.js';
import { startMysqlPipeline, type MysqlPipeline } from '../support/mysql-pipeline.js';
import { ALL_TYPES, insertItems } from '../support/mysql-fixtures.js';
import { tableText } from '../support/pg-compare.js';

async function waitSame(p: MysqlPipeline, table: string, what: string, timeoutMs = 90_000) {
  let last: string | null = null;
  try {
    await waitFor(what, async () => (last = await mysqlPgDifference(p.sourceUrl, 'src', table, p.destUrl)) === null, timeoutMs, [p.capture, p.sink]);
  } catch (e) {
    throw new Error(`${(e as Error).message}\nlast difference: ${last}`);
  }
}

describe('MySQL (MariaDB) → JetStream → PostgreSQL', () => {
  it('copies a snapshot, then streams inserts, updates, deletes, a truncate, DDL and a binlog rotation, every type intact', async () => {
    const p = await startMysqlPipeline({ sourceOptions: { 'snapshot.fetch.size': 50 } });
    await mysqlSql(p.sourceUrl, ALL_TYPES, insertItems(1, 200), 'CREATE TABLE events (id int AUTO_INCREMENT PRIMARY KEY, kind varchar(20) NOT NULL)', "INSERT INTO events (kind) VALUES ('seed'), ('seed'), ('seed')");
    p.capture.start();
    p.sink.start();
    await waitSame(p, 'items', 'the snapshot of items');
    await waitSame(p, 'events', 'the snapshot of events');

    // Streaming: the same value edges through the binlog, updates with before images, deletes, a key move, a multi-statement transaction.
    await mysqlSql(p.sourceUrl, insertItems(201, 300));
    await mysqlSql(p.sourceUrl, "UPDATE items SET vc = 'renamed', bi = bi DIV 2 WHERE id % 5 = 0", 'DELETE FROM items WHERE id % 11 = 0', 'UPDATE items SET id = id + 10000 WHERE id = 12');
    await mysqlSql(p.sourceUrl, 'START TRANSACTION', 'UPDATE items SET si = 1 WHERE id = 1', 'UPDATE items SET si = 2 WHERE id = 1', 'DELETE FROM items WHERE id = 2', "INSERT INTO items (id, vc) VALUES (2, 'again')", 'COMMIT');
    await waitSame(p, 'items', 'streamed changes of items');

    // Binlog rotation mid-stream, then a truncate and DDL: the destination follows each.
    await mysqlSql(p.sourceUrl, 'FLUSH BINARY LOGS', "INSERT INTO events (kind) VALUES ('after-rotate')", 'FLUSH BINARY LOGS', "UPDATE events SET kind = 'rotated-twice' WHERE id = 1");
    await waitSame(p, 'events', 'changes across binlog rotations');
    await mysqlSql(p.sourceUrl, 'TRUNCATE TABLE events', "INSERT INTO events (kind) VALUES ('after-truncate')");
    await waitSame(p, 'events', 'the truncate');
    await mysqlSql(p.sourceUrl, 'ALTER TABLE events ADD COLUMN note varchar(30) NULL, ADD COLUMN amount decimal(12,3) NOT NULL DEFAULT 1.5', "INSERT INTO events (kind, note, amount) VALUES ('after-alter', 'n 😀', 2.25)", "UPDATE events SET note = 'set' WHERE kind = 'after-truncate'");
    await waitSame(p, 'events', 'the added columns');
    const cols = await tableText(p.destUrl, "(SELECT column_name::text, data_type::text FROM information_schema.columns WHERE table_schema = 'src' AND table_name = 'events') c", 'column_name');
    assert.deepEqual(cols.map((c) => c[0]), ['amount', 'id', 'kind', 'note']);
    const rotated = await mysqlQuery(p.sourceUrl, 'SHOW BINARY LOGS');
    assert.ok(rotated.length >= 3, 'the binlog rotated');
  });
});
