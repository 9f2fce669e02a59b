import pg from 'pg';
import { setTimeout as sleep } from 'node:timers/promises';
import { pgClientConfig } from '../../shared/postgres/pg-connect.js';
import { percentile } from './measure.js';

/**
 * Commit-to-destination latency at a fixed rate: a writer inserts ids at
 * `rate`/s and notes when each commit returned; a poller watches max(id) at the
 * destination and notes when each id first became visible.
 */
export async function measureLatency(sourceUrl: string, destUrl: string, table: string, firstId: number, rate: number, seconds: number): Promise<{ p50: number; p99: number; count: number }> {
  const writer = new pg.Client(pgClientConfig(sourceUrl));
  const poller = new pg.Client(pgClientConfig(destUrl));
  await Promise.all([writer.connect(), poller.connect()]);
  const committed = new Map<number, number>();
  const seen = new Map<number, number>();
  const total = rate * seconds;
  let writing = true;
  const poll = (async () => {
    let max = firstId - 1;
    while (writing || max < firstId + total - 1) {
      const { rows } = await poller.query(`SELECT coalesce(max(id), 0) AS m FROM ${table} WHERE id >= $1`, [firstId]);
      const now = performance.now();
      const m = Number(rows[0].m);
      for (let id = max + 1; id <= m; id++) seen.set(id, now);
      max = Math.max(max, m);
      await sleep(1);
    }
  })();
  const start = performance.now();
  for (let i = 0; i < total; i++) {
    const due = start + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 1) await sleep(wait);
    await writer.query(`INSERT INTO ${table} (id, v, note) VALUES ($1, 0, 'lat')`, [firstId + i]);
    committed.set(firstId + i, performance.now());
  }
  writing = false;
  await Promise.race([poll, sleep(30_000)]);
  await Promise.all([writer.end(), poller.end()]);
  const lat = [...committed].filter(([id]) => seen.has(id)).map(([id, t]) => seen.get(id)! - t).sort((a, b) => a - b);
  return { p50: percentile(lat, 50), p99: percentile(lat, 99), count: lat.length };
}
