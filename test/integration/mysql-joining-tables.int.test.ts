import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Daemon, writeConfig } from '../support/daemons.js';
import { mysqlSql } from '../support/mysql-compare.js';
import { startMysqlPipeline, waitSameAsSource } from '../support/mysql-pipeline.js';

const count = (log: string, line: string) => log.split(line).length - 1;

describe('MySQL tables that join the capture', () => {
  it('streams tables created while it runs, backfills tables renamed into the lists, and empties a table dropped and created again', async () => {
    const p = await startMysqlPipeline({ sourceOptions: { 'table.exclude.list': ['src\\.tmp_.*'], 'snapshot.fetch.size': 100 } });
    await mysqlSql(p.sourceUrl, 'CREATE TABLE items (id int PRIMARY KEY, v varchar(20))', "INSERT INTO items SELECT seq, CONCAT('v', seq) FROM seq_1_to_100");
    p.capture.start();
    p.sink.start();
    await waitSameAsSource(p, 'items', 'the snapshot');

    // Created while streaming: the rows follow in the binlog, CREATE … SELECT's included.
    await mysqlSql(
      p.sourceUrl,
      'CREATE TABLE created (id int PRIMARY KEY, v varchar(20))',
      "INSERT INTO created VALUES (1, 'a'), (2, 'b')",
      "UPDATE created SET v = 'B' WHERE id = 2",
      'CREATE TABLE copied (PRIMARY KEY (id)) SELECT * FROM items WHERE id <= 40',
      "UPDATE copied SET v = 'changed' WHERE id = 3",
    );
    await waitSameAsSource(p, 'created', 'a table created while streaming');
    await waitSameAsSource(p, 'copied', 'a table created by CREATE … SELECT');

    // Excluded by name, filled, then renamed in: its 3,000 rows were never in the binlog under the new name.
    await mysqlSql(
      p.sourceUrl,
      'CREATE TABLE tmp_orders (id int PRIMARY KEY, qty int)',
      'INSERT INTO tmp_orders SELECT seq, seq % 7 FROM seq_1_to_3000',
      'RENAME TABLE tmp_orders TO orders',
      'UPDATE orders SET qty = 100 WHERE id % 10 = 0',
      'DELETE FROM orders WHERE id % 13 = 0',
      'INSERT INTO orders VALUES (5000, 1)',
    );
    await waitSameAsSource(p, 'orders', 'a table renamed into the capture, then changed');
    // ALTER TABLE … RENAME does the same; the old name's rows stay at the destination.
    await mysqlSql(p.sourceUrl, 'CREATE TABLE tmp_stock (id int PRIMARY KEY, n int)', 'INSERT INTO tmp_stock SELECT seq, seq FROM seq_1_to_500', 'ALTER TABLE tmp_stock RENAME TO stock');
    await waitSameAsSource(p, 'stock', 'a table renamed in by ALTER TABLE');

    // Dropped and created again: the new table starts empty, and so does its copy.
    await mysqlSql(p.sourceUrl, 'DROP TABLE created', 'CREATE TABLE created (id int PRIMARY KEY, v varchar(20))', "INSERT INTO created VALUES (7, 'new')");
    await waitSameAsSource(p, 'created', 'a table dropped and created again');
    // IF NOT EXISTS on a table that exists changes nothing.
    await mysqlSql(p.sourceUrl, 'CREATE TABLE IF NOT EXISTS created (id int PRIMARY KEY)', "INSERT INTO created VALUES (8, 'kept')");
    await waitSameAsSource(p, 'created', 'CREATE TABLE IF NOT EXISTS of an existing table');
    assert.equal(count(p.capture.log, 'backfill complete'), 2, 'one backfill per renamed table');
  });

  it('backfills the tables an include list gains across a restart, once', async () => {
    const p = await startMysqlPipeline({ sourceOptions: { 'table.include.list': ['src\\.items'] } });
    await mysqlSql(
      p.sourceUrl,
      'CREATE TABLE items (id int PRIMARY KEY, v varchar(20))',
      "INSERT INTO items SELECT seq, CONCAT('v', seq) FROM seq_1_to_100",
      'CREATE TABLE audit (id int PRIMARY KEY, what varchar(20))',
      "INSERT INTO audit SELECT seq, 'seed' FROM seq_1_to_800",
    );
    p.capture.start();
    p.sink.start();
    await waitSameAsSource(p, 'items', 'the snapshot');
    await mysqlSql(p.sourceUrl, "UPDATE items SET v = 'streamed' WHERE id <= 5");
    await waitSameAsSource(p, 'items', 'streaming');
    await p.capture.stop();

    await mysqlSql(p.sourceUrl, "UPDATE audit SET what = 'while stopped' WHERE id <= 10", 'DELETE FROM audit WHERE id > 790');
    const widened = new Daemon('capture', writeConfig({ nats: { url: p.nats.url }, source: { name: 'shop', address: p.captureUrl, options: { 'table.include.list': ['src\\.items', 'src\\.audit'] } } }));
    widened.start();
    const daemons = [widened, p.sink];
    await waitSameAsSource(p, 'audit', 'the table the include list gained', 90_000, daemons);
    await mysqlSql(p.sourceUrl, "INSERT INTO audit VALUES (900, 'streamed')", "UPDATE items SET v = 'after' WHERE id = 50");
    await waitSameAsSource(p, 'audit', 'streaming of the gained table', 90_000, daemons);
    await waitSameAsSource(p, 'items', 'streaming of the first table', 90_000, daemons);
    assert.match(widened.log, /tables joined the capture while it was stopped/);

    // A second restart reads nothing again.
    await widened.stop();
    widened.start();
    await mysqlSql(p.sourceUrl, "UPDATE audit SET what = 'restarted' WHERE id = 1");
    await waitSameAsSource(p, 'audit', 'streaming after another restart', 90_000, daemons);
    assert.equal(count(widened.log, 'backfill complete'), 1, widened.log.slice(-2000));
    await widened.stop();
  });
});
