import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { mysqlSql } from '../support/mysql-compare.js';
import { startMysqlPipeline, waitSameAsSource } from '../support/mysql-pipeline.js';
import { crashWhileStreaming, killDuringSnapshot, mysqlWriteLoad } from '../support/write-load.js';

describe('MySQL crash safety', () => {
  it('loses nothing when the capture is killed with -9 during the snapshot and while streaming, the sink too, and MariaDB crashes and restarts, under a running write load', async () => {
    // A capture user without RELOAD: the snapshot takes the lock-free path (binlog_snapshot_file/position).
    const p = await startMysqlPipeline({ captureUser: true, sourceOptions: { 'snapshot.fetch.size': 100, 'max.batch.size': 200 }, sinkOptions: { 'max.batch.size': 20 } });
    await mysqlSql(p.sourceUrl, 'CREATE TABLE items (id bigint PRIMARY KEY, qty int, note varchar(250))', "INSERT INTO items SELECT seq, seq % 100, REPEAT('x', 200) FROM seq_1_to_60000");
    const daemons = [p.capture, p.sink];
    // The write load runs from before the snapshot to the end.
    const load = mysqlWriteLoad(p.sourceUrl);

    // The capture killed during the snapshot; the sink as the snapshot completes, typically while it still applies snapshot rows.
    p.sink.start();
    await killDuringSnapshot(p.capture, 'src.items', daemons);
    await sleep(300);
    await p.sink.kill9();
    p.sink.start();

    // Killed while streaming under load; MariaDB crashes and restarts in between.
    await crashWhileStreaming(p, p.maria, { afterServerMs: 3000, settleMs: 2000 });
    const writes = await load.stop();

    await waitSameAsSource(p, 'items', `the destination to equal the source after ${writes} live transactions`, 120_000);
  });

  it('loses nothing when the capture is killed with -9 while it backfills a table renamed in, and the sink too, under a running write load', async () => {
    const p = await startMysqlPipeline({ sourceOptions: { 'table.exclude.list': ['src\\.tmp_.*'], 'snapshot.fetch.size': 100, 'max.batch.size': 200 }, sinkOptions: { 'max.batch.size': 20 } });
    await mysqlSql(
      p.sourceUrl,
      'CREATE TABLE items (id bigint PRIMARY KEY, qty int, note varchar(250))',
      "INSERT INTO items SELECT seq, seq % 100, 'seed' FROM seq_1_to_1000",
      'CREATE TABLE tmp_big (id bigint PRIMARY KEY, qty int, note varchar(250))',
      "INSERT INTO tmp_big SELECT seq, seq % 100, REPEAT('x', 200) FROM seq_1_to_60000",
    );
    const daemons = [p.capture, p.sink];
    p.capture.start();
    p.sink.start();
    await waitSameAsSource(p, 'items', 'the snapshot');
    const load = mysqlWriteLoad(p.sourceUrl);
    // Renamed in and changed at once: the changes wait in the binlog while the backfill reads.
    const renameIn = () => mysqlSql(p.sourceUrl, 'RENAME TABLE tmp_big TO big', 'UPDATE big SET qty = -1 WHERE id % 1000 = 0', 'DELETE FROM big WHERE id % 999 = 0', "INSERT INTO big VALUES (70000, 1, 'new')");
    await killDuringSnapshot(p.capture, 'src.big', daemons, { label: 'backfill', begin: renameIn });
    await p.sink.kill9();
    p.sink.start();
    const writes = await load.stop();
    await waitSameAsSource(p, 'big', 'the backfilled table to equal the source', 120_000);
    await waitSameAsSource(p, 'items', `the destination to equal the source after ${writes} live transactions`, 120_000);
  });
});
