import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { sameRows, sql, waitSameRows } from '../support/pg-compare.js';
import { Daemon, waitFor, writeConfig } from '../support/daemons.js';
import { startPipeline } from '../support/pipeline.js';
import { crashWhileStreaming, killDuringSnapshot, PG_LOAD_TABLE, pgWriteLoad } from '../support/write-load.js';

describe('crash safety', () => {
  it('loses nothing when the capture and the sink are killed with -9 and NATS restarts, under a running write load', async () => {
    const p = await startPipeline({ sourceOptions: { 'snapshot.fetch.size': 100, 'max.batch.size': 200 }, sinkOptions: { 'max.batch.size': 20 } });
    await sql(p.sourceUrl, PG_LOAD_TABLE);
    const daemons = [p.capture, p.sink];

    // The capture killed during the snapshot; the sink as the snapshot completes, typically while it still applies snapshot rows.
    p.sink.start();
    await killDuringSnapshot(p.capture, 'public.items', daemons);
    await sleep(300);
    await p.sink.kill9();
    p.sink.start();

    // Killed while streaming under load; NATS restarted in between.
    const load = pgWriteLoad(p.sourceUrl);
    await crashWhileStreaming(p, p.nats, { afterServerMs: 2000, settleMs: 1500 });
    const writes = await load.stop();

    await waitSameRows(p.sourceUrl, p.destUrl, 'items', `the destination to equal the source after ${writes} live transactions`, 120_000, daemons);
  });

  it('loses nothing when the capture is killed with -9 while it backfills a table its include list gained, under a running write load', async () => {
    const p = await startPipeline({ sourceOptions: { 'table.include.list': ['public\\.small'] }, sinkOptions: { 'max.batch.size': 20 } });
    await sql(p.sourceUrl, `${PG_LOAD_TABLE}; CREATE TABLE small (id int PRIMARY KEY); INSERT INTO small VALUES (1)`);
    p.capture.start();
    p.sink.start();
    await waitFor('the first snapshot', () => sameRows(p.sourceUrl, p.destUrl, 'small'), 60_000, [p.capture, p.sink]);
    await p.capture.stop();

    // The write load on items runs from before it joins the capture to the end.
    const load = pgWriteLoad(p.sourceUrl);
    const widened = new Daemon('capture', writeConfig({ nats: { url: p.nats.url }, source: { name: 'shop', address: p.sourceUrl, options: { 'heartbeat.interval.ms': 500, 'table.include.list': ['public\\.small', 'public\\.items'], 'snapshot.fetch.size': 100, 'max.batch.size': 200 } } }));
    const daemons = [widened, p.sink];
    try {
      await killDuringSnapshot(widened, 'public.items', daemons, { label: 'backfill', begin: async () => widened.start() });
      await p.sink.kill9();
      p.sink.start();
      await sleep(1000);
      const writes = await load.stop();
      await waitSameRows(p.sourceUrl, p.destUrl, 'items', `the destination to equal the source after ${writes} live transactions`, 120_000, daemons);
    } finally {
      await load.stop().catch(() => {});
      await widened.stop();
    }
  });
});
