import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { waitFor } from '../support/daemons.js';
import { mysqlPgDifference, mysqlSql } from '../support/mysql-compare.js';
import { startMysqlPipeline } from '../support/mysql-pipeline.js';
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

    let last: string | null = null;
    try {
      await waitFor(`the destination to equal the source after ${writes} live transactions`, async () => (last = await mysqlPgDifference(p.sourceUrl, 'src', 'items', p.destUrl)) === null, 120_000, daemons);
    } catch (e) {
      throw new Error(`${(e as Error).message}\nlast difference: ${last}`);
    }
  });
});
