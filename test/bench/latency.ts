import { setTimeout as sleep } from 'node:timers/promises';
import { Db, percentile } from './measure.js';

export interface LatencyResult {
  /** Commit-to-visible, ms; ids never seen count as +Infinity. */
  p50: number;
  p99: number;
  max: number;
  written: number;
  unseen: number;
  /** Rate the writer achieved (it is paced, but can fall behind). */
  achievedRate: number;
}

/**
 * Commit-to-destination latency at a fixed rate. A writer inserts ids
 * 1..rate*seconds into `table` (autocommit, one row per transaction), paced at
 * `rate`/s, and notes when each commit returned. A poller on the destination
 * asks `max(id)` every `pollMs` and notes, for every id up to it not seen
 * before, when the answer came back. Both clocks are this process's
 * performance.now(). Rows are applied in commit order by both Nilus and
 * native replication, so max(id) visible means every smaller id is too. The
 * poll interval adds on average pollMs/2 to every figure, for both pipelines alike.
 */
export async function measureLatency(sourceUrl: string, destUrl: string, table: string, rate: number, seconds: number, pollMs: number): Promise<LatencyResult> {
  const writer = new Db(sourceUrl);
  const poller = new Db(destUrl);
  const total = Math.round(rate * seconds);
  const committed = new Float64Array(total + 1).fill(NaN);
  const seen = new Float64Array(total + 1).fill(NaN);
  let writing = true;
  let max = 0;
  const poll = (async () => {
    let graceEnd = Infinity;
    while (max < total && performance.now() < graceEnd) {
      const started = performance.now();
      const m = await poller.num(`SELECT coalesce(max(id), 0) FROM ${table}`);
      const now = performance.now();
      for (let id = max + 1; id <= Math.min(m, total); id++) seen[id] = now;
      max = Math.max(max, m);
      if (!writing && graceEnd === Infinity) graceEnd = now + 30_000;
      const wait = pollMs - (performance.now() - started);
      if (wait > 0) await sleep(wait);
    }
  })();
  const start = performance.now();
  for (let id = 1; id <= total; id++) {
    const wait = start + ((id - 1) * 1000) / rate - performance.now();
    if (wait >= 1) await sleep(wait);
    await writer.query(`INSERT INTO ${table} (id, v, note) VALUES ($1, 0, 'lat')`, [id]);
    committed[id] = performance.now();
  }
  const writeSeconds = (performance.now() - start) / 1000;
  writing = false;
  await poll;
  await Promise.all([writer.end(), poller.end()]);
  const lat: number[] = [];
  let unseen = 0;
  for (let id = 1; id <= total; id++) {
    if (Number.isNaN(seen[id])) {
      unseen++;
      lat.push(Infinity);
    } else lat.push(seen[id] - committed[id]);
  }
  lat.sort((a, b) => a - b);
  return { p50: percentile(lat, 50), p99: percentile(lat, 99), max: lat[lat.length - 1], written: total, unseen, achievedRate: total / writeSeconds };
}
