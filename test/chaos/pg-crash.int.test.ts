import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { sameRows, sql } from '../support/pg-compare.js';
import { waitFor } from '../support/daemons.js';
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

    await waitFor(`the destination to equal the source after ${writes} live transactions`, () => sameRows(p.sourceUrl, p.destUrl, 'items'), 120_000, daemons);
  });
});
