import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { sameRows, sql } from '../support/pg-compare.js';
import { waitFor } from '../support/daemons.js';
import { startPipeline } from '../support/pipeline.js';

async function writeRows(url: string, from: number, count: number) {
  for (let i = from; i < from + count; i++) await sql(url, 'INSERT INTO t (id, v) VALUES ($1, $2) ON CONFLICT (id) DO UPDATE SET v = EXCLUDED.v', [i % 500, `v${i}`]);
}

describe('back-pressure', () => {
  it('holds while NATS is down and catches up when it returns; the slot keeps what was not published', async () => {
    const p = await startPipeline();
    await sql(p.sourceUrl, 'CREATE TABLE t (id int PRIMARY KEY, v text)');
    p.capture.start();
    p.sink.start();
    await writeRows(p.sourceUrl, 0, 50);
    await waitFor('the first rows', () => sameRows(p.sourceUrl, p.destUrl, 't'), 60_000, [p.capture, p.sink]);

    await p.nats.stop({ keepData: true });
    await writeRows(p.sourceUrl, 50, 800);
    await sleep(3000);
    assert.ok(p.capture.running, `the capture waits instead of exiting:\n${p.capture.log.slice(-2000)}`);
    assert.ok(p.sink.running, `the sink waits instead of exiting:\n${p.sink.log.slice(-2000)}`);
    const held = await sql(p.sourceUrl, "SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), confirmed_flush_lsn) AS lag FROM pg_replication_slots");
    assert.ok(Number(held.rows[0].lag) > 0, 'the slot was not advanced past unpublished changes');
    await p.nats.start();
    await waitFor('catching up after NATS returned', () => sameRows(p.sourceUrl, p.destUrl, 't'), 90_000, [p.capture, p.sink]);
  });

  it('a sink started behind a backlog larger than the server keeps for one client catches up', async () => {
    const p = await startPipeline();
    // ~100 MB of batch messages: more than the 64 MB a server buffers for one client before cutting it off.
    await sql(p.sourceUrl, 'CREATE TABLE t (id int PRIMARY KEY, v text)');
    await sql(p.sourceUrl, "INSERT INTO t SELECT g, repeat(md5(g::text), 50) FROM generate_series(1, 60000) g");
    p.capture.start();
    await waitFor('the snapshot in the stream', async () => p.capture.log.includes('streaming changes'), 120_000, [p.capture]);
    p.sink.start();
    await waitFor('the sink to drain the backlog', () => sameRows(p.sourceUrl, p.destUrl, 't'), 120_000, [p.capture, p.sink]);
    assert.doesNotMatch(p.sink.log, /disconnected|session failed/, 'the sink was never cut off');
  });

  it('retries while the destination is down and catches up when it returns', async () => {
    const p = await startPipeline({ separateDestination: true });
    await sql(p.sourceUrl, 'CREATE TABLE t (id int PRIMARY KEY, v text)');
    p.capture.start();
    p.sink.start();
    await writeRows(p.sourceUrl, 0, 50);
    await waitFor('the first rows', () => sameRows(p.sourceUrl, p.destUrl, 't'), 60_000, [p.capture, p.sink]);

    await p.destPg.stop({ keepData: true });
    await writeRows(p.sourceUrl, 50, 800);
    await sleep(3000);
    assert.ok(p.sink.running, 'the sink waits instead of exiting');
    await p.destPg.start();
    await waitFor('catching up after the destination returned', () => sameRows(p.sourceUrl, p.destUrl, 't'), 90_000, [p.capture, p.sink]);
  });
});
