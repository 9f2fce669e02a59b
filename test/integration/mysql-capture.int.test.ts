import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { assertClearError } from '../support/clear-error.js';
import { runCli, writeConfig } from '../support/daemons.js';
import { startMariaDb, type MariaDbServer } from '../harness/index.js';
import { mysqlQuery, mysqlSql } from '../support/mysql-compare.js';
import { startMysqlPipeline, waitSameAsSource } from '../support/mysql-pipeline.js';
import { ALL_TYPES, insertItems, KEY_SHAPES } from '../support/mysql-fixtures.js';
import { tableText } from '../support/pg-compare.js';

describe('MySQL (MariaDB) → JetStream → PostgreSQL', () => {
  for (const rowMetadata of ['NO_LOG', 'FULL'] as const) {
    it(`copies a snapshot, then streams inserts, updates, deletes, a truncate, DDL and a binlog rotation, every type intact (binlog_row_metadata = ${rowMetadata})`, () => endToEnd(rowMetadata));
  }
});

/** NO_LOG (MariaDB's default): zongji names columns from information_schema; FULL: from the binlog's own metadata. */
async function endToEnd(rowMetadata: 'NO_LOG' | 'FULL') {
    const p = await startMysqlPipeline({ sourceOptions: { 'snapshot.fetch.size': 50 } });
    // A server zone other than UTC: TIMESTAMP values must still arrive as the same instants.
    await mysqlSql(p.sourceUrl, "SET GLOBAL time_zone = '+05:30'", `SET GLOBAL binlog_row_metadata = '${rowMetadata}'`);
    await mysqlSql(
      p.sourceUrl,
      ALL_TYPES,
      insertItems(1, 200),
      'CREATE TABLE events (id int AUTO_INCREMENT PRIMARY KEY, kind varchar(20) NOT NULL)',
      "INSERT INTO events (kind) VALUES ('seed'), ('seed'), ('seed')",
      ...KEY_SHAPES,
    );
    p.capture.start();
    p.sink.start();
    await waitSameAsSource(p, 'items', 'the snapshot of items');
    await waitSameAsSource(p, 'events', 'the snapshot of events');
    await waitSameAsSource(p, 'tags', 'the snapshot of tags');
    await waitSameAsSource(p, 'logs', 'the snapshot of the keyless table');

    // Streaming: the same value edges through the binlog, updates with before images, deletes, a key move, a multi-statement transaction.
    await mysqlSql(p.sourceUrl, insertItems(201, 300));
    await mysqlSql(p.sourceUrl, "UPDATE items SET vc = 'renamed', bi = bi DIV 2 WHERE id % 5 = 0", 'DELETE FROM items WHERE id % 11 = 0', 'UPDATE items SET id = id + 10000 WHERE id = 12');
    await mysqlSql(p.sourceUrl, 'START TRANSACTION', 'UPDATE items SET si = 1 WHERE id = 1', 'UPDATE items SET si = 2 WHERE id = 1', 'DELETE FROM items WHERE id = 2', "INSERT INTO items (id, vc) VALUES (2, 'again')", 'COMMIT');
    await waitSameAsSource(p, 'items', 'streamed changes of items');

    // Binlog rotation mid-stream, then a truncate and DDL: the destination follows each.
    await mysqlSql(p.sourceUrl, 'FLUSH BINARY LOGS', "INSERT INTO events (kind) VALUES ('after-rotate')", 'FLUSH BINARY LOGS', "UPDATE events SET kind = 'rotated-twice' WHERE id = 1");
    await waitSameAsSource(p, 'events', 'changes across binlog rotations');
    await mysqlSql(p.sourceUrl, 'TRUNCATE TABLE events', "INSERT INTO events (kind) VALUES ('after-truncate')");
    await waitSameAsSource(p, 'events', 'the truncate');
    await mysqlSql(p.sourceUrl, 'ALTER TABLE events ADD COLUMN note varchar(30) NULL, ADD COLUMN amount decimal(12,3) NOT NULL DEFAULT 1.5', "INSERT INTO events (kind, note, amount) VALUES ('after-alter', 'n 😀', 2.25)", "UPDATE events SET note = 'set' WHERE kind = 'after-truncate'");
    await waitSameAsSource(p, 'events', 'the added columns');
    await mysqlSql(p.sourceUrl, 'ALTER TABLE events DROP COLUMN note, MODIFY kind varchar(60) NOT NULL', "INSERT INTO events (kind, amount) VALUES (REPEAT('k', 60), 3)", "UPDATE tags SET n = n + 1000 WHERE n % 10 = 0", 'INSERT INTO logs VALUES (121, \'streamed\')');
    await waitSameAsSource(p, 'events', 'changes after a dropped column and a widened one');
    await waitSameAsSource(p, 'tags', 'key moves in a composite key');
    await waitSameAsSource(p, 'logs', 'the keyless table streamed');
    const cols = await tableText(p.destUrl, "(SELECT column_name::text, data_type::text FROM information_schema.columns WHERE table_schema = 'src' AND table_name = 'events') c", 'column_name');
    assert.deepEqual(cols.map((c) => c[0]), ['amount', 'id', 'kind', 'note']);
    const rotated = await mysqlQuery(p.sourceUrl, 'SHOW BINARY LOGS');
    assert.ok(rotated.length >= 3, 'the binlog rotated');
}

describe('MySQL bad input', () => {
  let maria: MariaDbServer;
  const source = (address: string, options: Record<string, unknown> = {}) => writeConfig({ source: { name: 'app', address, options } });
  const userUrl = (user: string, password: string, db = 'src') => `mysql://${user}:${encodeURIComponent(password)}@${maria.host}:${maria.port}/${db}`;
  before(async () => {
    maria = await startMariaDb();
    await mysqlSql(
      maria.url(''),
      'CREATE DATABASE src CHARACTER SET utf8mb4',
      'CREATE TABLE src.orders (id int PRIMARY KEY, total decimal(10,2))',
      "CREATE USER 'app'@'%' IDENTIFIED BY 's3cret:/@'",
      "GRANT REPLICATION SLAVE, BINLOG MONITOR ON *.* TO 'app'@'%'",
      "GRANT SELECT ON src.* TO 'app'@'%'",
      "CREATE USER 'reader'@'%' IDENTIFIED BY 'r'",
      "GRANT SELECT ON src.* TO 'reader'@'%'",
      "CREATE USER 'noselect'@'%' IDENTIFIED BY 'n'",
      "GRANT REPLICATION SLAVE, BINLOG MONITOR ON *.* TO 'noselect'@'%'",
    );
  });
  after(() => maria.stop());

  it('accepts a capture user with exactly the needed grants and a password with special characters', async () => {
    const r = await runCli(['validate', '-c', source(userUrl('app', 's3cret:/@'))]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /can be captured/);
  });

  it('says the password was rejected, without printing it', async () => {
    const r = await runCli(['validate', '-c', source(userUrl('app', 'wrong-secret'))]);
    assertClearError(r, /rejected the login/, /password/);
    assert.ok(!r.stderr.includes('wrong-secret'));
  });

  it('names the missing replication grants and the GRANT that fixes them', async () => {
    assertClearError(await runCli(['validate', '-c', source(userUrl('reader', 'r'))]), /REPLICATION SLAVE/, /BINLOG MONITOR/, /GRANT REPLICATION SLAVE, BINLOG MONITOR ON \*\.\* TO 'reader'@'%'/);
  });

  it('names the missing SELECT grant', async () => {
    assertClearError(await runCli(['validate', '-c', source(userUrl('noselect', 'n'))]), /denied access to the database/, /GRANT SELECT ON `src`\.\*/);
  });

  it('names an include-list table that does not exist', async () => {
    assertClearError(await runCli(['validate', '-c', source(maria.url('src'), { 'table.include.list': ['src.nope'] })]), /src\.nope/, /matches no table/);
  });

  it('checks masks against the MySQL source tables, on the capture and on a sink reading it, naming the bad column', async () => {
    const env = { NILUS_MASK_SALT: 'a-salt-long-enough-for-masks' };
    const masked = (side: 'source' | 'sink', mask: Record<string, string>) => {
      const options = { 'mask.salt': '${env:NILUS_MASK_SALT}', mask: { 'src.orders': mask } };
      return writeConfig({ source: { name: 'app', address: maria.url('src'), options: side === 'source' ? options : {} }, sink: { name: 'copy', from: 'app', address: 'postgres://postgres@127.0.0.1:1/dst', options: side === 'sink' ? options : {} } });
    };
    const capture = await runCli(['validate', '-c', masked('source', { total: 'round:10' })], env);
    assert.equal(capture.code, 0, capture.stderr);
    assert.match(capture.stdout, /1 capture masks fit the source's columns/);
    const sink = await runCli(['validate', '-c', masked('sink', { id: 'uuid', total: 'noise:0.1' })], env);
    assert.equal(sink.code, 0, sink.stderr);
    assert.match(sink.stdout, /2 sink masks fit the source's columns/);
    assertClearError(await runCli(['validate', '-c', masked('sink', { totl: 'hash' })], env), /src\.orders\.totl: column "totl" does not exist in src\.orders/);
    assertClearError(await runCli(['validate', '-c', masked('source', { total: 'year_only' })], env), /src\.orders\.total: year_only does not fit column "total"/);
  });

  it('names a database that does not exist', async () => {
    assertClearError(await runCli(['validate', '-c', source(maria.url('nope'))]), /has no such database/, /Unknown database 'nope'/);
  });

  it('says the source cannot be reached when nothing listens', async () => {
    assertClearError(await runCli(['validate', '-c', source('mysql://root@127.0.0.1:1/src')]), /cannot reach the source MySQL/);
  });

  it('says how to turn the binlog on when it is off', async () => {
    const off = await startMariaDb({ binlogFormat: 'OFF' });
    try {
      await mysqlSql(off.url(''), 'CREATE DATABASE src', 'CREATE TABLE src.t (id int PRIMARY KEY)');
      assertClearError(await runCli(['validate', '-c', source(off.url('src'))]), /without a binary log \(log_bin = OFF\)/, /log_bin = ON/, /binlog_format = ROW/);
    } finally {
      await off.stop();
    }
  });

  it('says how to switch a STATEMENT binlog to ROW', async () => {
    const stmt = await startMariaDb({ binlogFormat: 'STATEMENT' });
    try {
      await mysqlSql(stmt.url(''), 'CREATE DATABASE src', 'CREATE TABLE src.t (id int PRIMARY KEY)');
      assertClearError(await runCli(['validate', '-c', source(stmt.url('src'))]), /binlog_format = STATEMENT/, /SET GLOBAL binlog_format = 'ROW'/);
    } finally {
      await stmt.stop();
    }
  });
});
