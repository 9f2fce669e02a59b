import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { startMariaDb, type MariaDbServer } from '../harness/index.js';
import { waitFor } from '../support/daemons.js';
import { sql } from '../support/pg-compare.js';
import { sameRows } from '../support/mysql-sink-compare.js';
import { startMySqlPipeline } from '../support/mysql-sink-pipeline.js';
import { PG_LOAD_TABLE, pgWriteLoad } from '../support/write-load.js';

describe('MySQL sink crash safety', () => {
  let maria: MariaDbServer;
  before(async () => {
    maria = await startMariaDb({ binlogFormat: 'OFF' });
  });
  after(() => maria?.stop());

  it('loses nothing when the sink is killed with -9 during the snapshot and while streaming', async () => {
    const p = await startMySqlPipeline(maria, { sourceOptions: { 'snapshot.fetch.size': 500, 'max.batch.size': 200 }, sinkOptions: { 'max.batch.size': 20 } });
    await sql(p.sourceUrl, PG_LOAD_TABLE);
    const daemons = [p.capture, p.sink];

    p.capture.start();
    p.sink.start();
    await sleep(1500);
    await p.sink.kill9(); // during the snapshot
    p.sink.start();

    const load = pgWriteLoad(p.sourceUrl);
    for (let i = 0; i < 3; i++) {
      await sleep(1500 + Math.random() * 1000);
      await p.sink.kill9(); // while streaming, mid-transaction with luck
      await sleep(300);
      p.sink.start();
    }
    await sleep(1000);
    const writes = await load.stop();

    await waitFor(`the destination to equal the source after ${writes} live transactions`, () => sameRows(p.sourceUrl, p.destUrl, 'items'), 120_000, daemons);
  });
});
