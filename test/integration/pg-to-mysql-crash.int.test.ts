import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { setTimeout as sleep } from 'node:timers/promises';
import { startMariaDb, type MariaDbServer } from '../harness/index.js';
import { waitFor } from '../support/daemons.js';
import { sql } from '../support/pg-compare.js';
import { sameRows } from '../support/mysql-sink-compare.js';
import { startMySqlPipeline } from '../support/mysql-sink-pipeline.js';
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

describe('MySQL sink crash safety', () => {
  let maria: MariaDbServer;
  before(async () => {
    maria = await startMariaDb({ binlogFormat: 'OFF' });
  });
  after(() => maria?.stop());

  it('loses nothing when the sink is killed with -9 during the snapshot and while streaming', async () => {
    const p = await startMySqlPipeline(maria, { sourceOptions: { 'snapshot.fetch.size': 500, 'max.batch.size': 200 }, sinkOptions: { 'max.batch.size': 20 } });
    await sql(p.sourceUrl, "CREATE TABLE items (id bigint PRIMARY KEY, qty int, note text); INSERT INTO items SELECT g, g % 100, repeat('x', 200) FROM generate_series(1, 20000) g");
    const daemons = [p.capture, p.sink];

    p.capture.start();
    p.sink.start();
    await sleep(1500);
    await p.sink.kill9(); // during the snapshot
    p.sink.start();

    const load = writeLoad(p.sourceUrl);
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
