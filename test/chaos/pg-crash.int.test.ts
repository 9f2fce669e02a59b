import { describe, it } from 'node:test';
import pg from 'pg';
import { setTimeout as sleep } from 'node:timers/promises';
import { sameRows, sql } from '../support/pg-compare.js';
import { waitFor } from '../support/daemons.js';
import { startPipeline } from '../support/pipeline.js';
import { pgClientConfig } from '../../shared/postgres/pg-connect.js';

/** Single-row transactions (insert, update, delete) until stopped; returns how many committed. */
function writeLoad(url: string): { stop(): Promise<number> } {
  let running = true;
  let count = 0;
  const done = (async () => {
    const client = new pg.Client(pgClientConfig(url));
    await client.connect();
    let next = 1_000_000;
    while (running) {
      const r = Math.random();
      if (r < 0.5) await client.query('INSERT INTO items (id, qty, note) VALUES ($1, $2, $3)', [next++, Math.floor(Math.random() * 1000), 'live']);
      else if (r < 0.85) await client.query('UPDATE items SET qty = qty + 1, note = $2 WHERE id = $1', [Math.floor(Math.random() * 20_000) + 1, `u${count}`]);
      else await client.query('DELETE FROM items WHERE id = $1', [Math.floor(Math.random() * 20_000) + 1]);
      count++;
    }
    await client.end();
    return count;
  })();
  return {
    async stop() {
      running = false;
      return done;
    },
  };
}

describe('crash safety', () => {
  it('loses nothing when the capture and the sink are killed with -9 and NATS restarts, under a running write load', async () => {
    const p = await startPipeline({ sourceOptions: { 'snapshot.fetch.size': 500, 'max.batch.size': 200 }, sinkOptions: { 'max.batch.size': 20 } });
    await sql(p.sourceUrl, "CREATE TABLE items (id bigint PRIMARY KEY, qty int, note text); INSERT INTO items SELECT g, g % 100, repeat('x', 200) FROM generate_series(1, 20000) g");
    const daemons = [p.capture, p.sink];

    // Killed during the snapshot.
    p.capture.start();
    await sleep(1500);
    await p.capture.kill9();
    p.capture.start();
    p.sink.start();
    await sleep(1500);
    await p.sink.kill9();
    p.sink.start();

    // Killed while streaming under load; NATS restarted in between.
    const load = writeLoad(p.sourceUrl);
    await sleep(2000);
    await p.capture.kill9();
    await sleep(500);
    p.capture.start();
    await sleep(2000);
    await p.sink.kill9();
    p.sink.start();
    await sleep(1500);
    await p.nats.kill();
    await sleep(1000);
    await p.nats.start();
    await sleep(2000);
    await p.capture.kill9();
    p.capture.start();
    await sleep(1500);
    const writes = await load.stop();

    await waitFor(`the destination to equal the source after ${writes} live transactions`, () => sameRows(p.sourceUrl, p.destUrl, 'items'), 120_000, daemons);
  });
});
