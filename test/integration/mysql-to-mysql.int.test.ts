import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { waitFor } from '../support/daemons.js';
import { mysqlQuery, mysqlSql } from '../support/mysql-compare.js';
import { ALL_TYPES, insertItems, KEY_SHAPES } from '../support/mysql-fixtures.js';
import { mysqlMysqlDifference, readMysqlPair } from '../support/mysql-mysql-compare.js';
import { startMysqlToMysqlPipeline, type MysqlToMysqlPipeline } from '../support/mysql-mysql-pipeline.js';

async function waitSame(p: MysqlToMysqlPipeline, table: string, what: string, orderBy = 'id', timeoutMs = 90_000) {
  let last: string | null = null;
  try {
    await waitFor(what, async () => (last = await mysqlMysqlDifference(p.sourceUrl, 'src', p.destUrl, 'dst', table, orderBy)) === null, timeoutMs, [p.capture, p.sink]);
  } catch (e) {
    throw new Error(`${(e as Error).message}\nlast difference: ${last}`);
  }
}

describe('MySQL (MariaDB) → JetStream → MySQL (MariaDB)', () => {
  it('copies a snapshot, then streams inserts, updates and deletes, every MySQL type equal row by row', async () => {
    // Source and destination are two databases of one server; the capture reads only `src`.
    const p = await startMysqlToMysqlPipeline({ sourceOptions: { 'snapshot.fetch.size': 50 } });
    // A server zone other than UTC: TIMESTAMP values must still land as the same instants.
    await mysqlSql(p.sourceUrl, "SET GLOBAL time_zone = '+05:30'");
    await mysqlSql(
      p.sourceUrl,
      ALL_TYPES,
      insertItems(1, 200),
      ...KEY_SHAPES,
    );
    p.capture.start();
    p.sink.start();
    await waitSame(p, 'items', 'the snapshot of items', 'id', 120_000);
    await waitSame(p, 'tags', 'the snapshot of tags', 'name, n');
    await waitSame(p, 'logs', 'the snapshot of the keyless table');
    if (process.env.NILUS_SHOW_ROWS) {
      const both = await readMysqlPair(p.sourceUrl, 'src', p.destUrl, 'dst', 'items');
      console.log(JSON.stringify({ columns: both.columns, source: both.source.slice(0, 4).map((r) => r.map((v) => v?.slice(0, 60) ?? null)), dest: both.dest.slice(0, 4).map((r) => r.map((v) => v?.slice(0, 60) ?? null)) }));
    }
    // The documented type changes (docs/architecture.md, MySQL sink: "MySQL to MySQL"); every other column keeps its values' text.
    const types = Object.fromEntries((await mysqlQuery(p.destUrl, "SELECT COLUMN_NAME AS c, COLUMN_TYPE AS t FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = 'dst' AND TABLE_NAME = 'items'")).map((r) => [r.c, String(r.t)]));
    assert.deepEqual(
      { tu: types.tu, bu: types.bu, d65: types.d65, f: types.f, b1: types.b1, b10: types.b10, flag: types.flag, ch: types.ch, bn: types.bn, tm: types.tm, ts: types.ts, yr: types.yr, en: types.en, st: types.st },
      { tu: 'smallint(6)', bu: 'bigint(20) unsigned', d65: 'decimal(65,30)', f: 'double', b1: 'tinyint(1)', b10: 'longblob', flag: 'smallint(6)', ch: 'longtext', bn: 'longblob', tm: 'varchar(100)', ts: 'datetime(6)', yr: 'smallint(6)', en: 'varchar(255)', st: 'longtext' },
    );

    const [tagKey] = await mysqlQuery(p.destUrl, "SELECT COLUMN_TYPE AS t FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = 'dst' AND TABLE_NAME = 'tags' AND COLUMN_NAME = 'name'");
    assert.equal(String(tagKey.t), 'varchar(20)', 'a text key column keeps its declared length');

    // Streaming: the same value edges through the binlog, updates, deletes, a key move, a multi-statement transaction.
    await mysqlSql(p.sourceUrl, insertItems(201, 300));
    await mysqlSql(
      p.sourceUrl,
      "UPDATE items SET vc = 'renamed 😀', bi = bi DIV 2, tm = '-100:00:00.25', b10 = b'11', st = 'c', en = 'ok', js = '{\"n\": 2}' WHERE id % 5 = 0",
      'UPDATE items SET bu = 18446744073709551615, d65 = -d65, f = 1.5, db = -db, dtm = NULL WHERE id % 7 = 0',
      'DELETE FROM items WHERE id % 11 = 0',
      'UPDATE items SET id = id + 10000 WHERE id = 12',
    );
    await mysqlSql(p.sourceUrl, 'START TRANSACTION', 'UPDATE items SET si = 1 WHERE id = 1', 'UPDATE items SET si = 2 WHERE id = 1', 'DELETE FROM items WHERE id = 2', "INSERT INTO items (id, vc) VALUES (2, 'again')", 'COMMIT');
    await mysqlSql(p.sourceUrl, 'UPDATE tags SET n = n + 1000 WHERE n % 10 = 0', "DELETE FROM tags WHERE name LIKE 'a%' AND n % 4 = 0", "INSERT INTO tags VALUES ('new 😀', 1, 1)", "INSERT INTO logs VALUES (121, 'streamed 😀')");
    await waitSame(p, 'items', 'streamed changes of items');
    await waitSame(p, 'tags', 'key moves in a composite key', 'name, n');
    await waitSame(p, 'logs', 'the keyless table streamed');
    const [{ n }] = await mysqlQuery(p.sourceUrl, 'SELECT count(*) AS n FROM dst.items');
    assert.equal(Number(n), 300 - 27 + 1 - 1 + 1 - 1, 'rows left after the deletes'); // 27 multiples of 11 up to 300; id 2 deleted and re-inserted
  });
});
