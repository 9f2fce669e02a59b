// Masking cost: the sink's rows/s over one pre-filled stream, with 5 masked
// columns beside the same run without masks (issue 3: under 15% slower).
//
// The phase captures its own table into its own stream (source "benchmask")
// once, stops the capture, then runs fresh sinks over that stream: unmasked,
// masked, unmasked, masked (alternating, best of each), each into an empty
// database. A run's rate counts from its first commit at the destination to
// its last, so process start-up is left out. Progress is read from the sink's
// checkpoint row (committed with the rows), a one-row lookup: max(id) walks
// back over every uncommitted row of the batch in flight, and polled every
// 20 ms it took ~10% of a core from the 2 the sink and its database share.
//
// Part of `npm run bench`; alone: node --import tsx test/bench/masking.ts
// Env: BENCH_MASK_ROWS (300,000), BENCH_MASK_ROUNDS (2).
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { startNats, startPostgres, type PgServer } from '../harness/index.js';
import { Daemon, writeConfig } from '../support/daemons.js';
import { Db, fmt, round2, waitUntil } from './measure.js';

const ROWS = Number(process.env.BENCH_MASK_ROWS ?? 300_000);
const ROUNDS = Number(process.env.BENCH_MASK_ROUNDS ?? 2);

/** The five masked columns: a keyed hash, two format-preserving masks, and two salted pseudo-random ones. */
const MASKS = {
  'public.masked_bulk': { email: 'hash', phone: 'phone', name: 'partial:2', salary: 'noise:0.1', born: 'date_shift:30' },
};

export interface MaskingBenchResult {
  rows: number;
  plainRowsPerSec: number;
  maskedRowsPerSec: number;
  /** CPU of the sink process per row applied (user + system), least of the runs: steadier than rows/s on a busy machine. */
  plainSinkCpuMicrosPerRow: number;
  maskedSinkCpuMicrosPerRow: number;
  /** masked / plain */
  ratio: number;
  /** 1 - ratio, the share of throughput masking costs */
  cost: number;
}

export async function maskingBench(o: { server: PgServer; natsUrl: string; srcUrl: string; say: (s: string) => void }): Promise<MaskingBenchResult> {
  const { server, natsUrl, srcUrl, say } = o;
  process.env.NILUS_BENCH_MASK_SALT ??= 'bench-mask-salt-7d41c2e98f0a5b36';
  const src = new Db(srcUrl);
  const dbs: Db[] = [src];
  const daemons: Daemon[] = [];
  try {
    say(`masking: seeding ${fmt(ROWS)} rows with 5 PII columns …`);
    await src.query('CREATE TABLE masked_bulk (id bigint PRIMARY KEY, email text, phone text, name text, salary int, born date, note text)');
    await src.query(`INSERT INTO masked_bulk SELECT g, 'user' || g || '@example.com', '+1 (415) 555-' || lpad((g % 10000)::text, 4, '0'), 'Name ' || md5(g::text),
      30000 + g % 90000, date '1950-01-01' + (g % 20000), md5((g * 7)::text) FROM generate_series(1, ${ROWS}) g`);
    // One stream, filled once: every sink run reads the same messages.
    const capture = new Daemon('capture', writeConfig({ nats: { url: natsUrl }, source: { name: 'benchmask', address: srcUrl, options: { 'slot.name': 'nilus_benchmask', 'table.include.list': ['public\\.masked_bulk'] } } }));
    daemons.push(capture);
    capture.start();
    await waitUntil('the masking bench snapshot to be published', async () => {
      if (!capture.running) throw Object.assign(new Error(`the capture exited\n${capture.log.slice(-2000)}`), { fatal: true });
      return capture.log.includes('streaming changes');
    }, 600_000, 100);
    await capture.stop();
    const nc = await connect({ servers: natsUrl });
    const stream = await (await jetstreamManager(nc)).streams.info('NILUS_BENCHMASK');
    await nc.close();
    const lastSeq = stream.state.last_seq;

    /** CPU seconds a process has used so far (Linux; NaN elsewhere). */
    const cpuOf = (pid: number | undefined): number => {
      try {
        const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
        return (Number(f[11]) + Number(f[12])) / 100;
      } catch {
        return NaN;
      }
    };
    const run = async (kind: 'plain' | 'masked', i: number): Promise<{ rate: number; cpuPerRow: number }> => {
      const dbName = `mask_${kind}_${i}`;
      const dst = new Db(await server.createDatabase(dbName));
      dbs.push(dst);
      const options = kind === 'masked' ? { 'mask.salt': '${env:NILUS_BENCH_MASK_SALT}', mask: MASKS } : {};
      const consumer = `bm_${kind}_${i}`;
      const sink = new Daemon('sink', writeConfig({ nats: { url: natsUrl }, sink: { name: consumer, from: 'benchmask', address: dst.url, options } }));
      daemons.push(sink);
      sink.start();
      const pid = (sink as unknown as { child: { pid?: number } | null }).child?.pid;
      let first = NaN;
      let firstCount = 0;
      let firstCpu = NaN;
      const done = await waitUntil(`the ${kind} sink to apply ${fmt(ROWS)} rows`, async () => {
        if (!sink.running) throw Object.assign(new Error(`the ${kind} sink exited\n${sink.log.slice(-2000)}`), { fatal: true });
        const seq = (await dst.num(`SELECT stream_seq FROM _nilus.offsets WHERE consumer = '${consumer}'`)) || 0;
        if (Number.isNaN(first) && seq > 0) {
          first = performance.now();
          firstCpu = cpuOf(pid);
          // The snapshot reads in key order and the sink commits in stream order: max(id) = rows applied.
          firstCount = (await dst.num('SELECT max(id) FROM masked_bulk')) || 0;
        }
        return seq >= lastSeq;
      }, 300_000, 20);
      const applied = await dst.num('SELECT count(*) FROM masked_bulk');
      if (applied !== ROWS) throw new Error(`bench: the ${kind} sink reached the end of the stream with ${applied} of ${ROWS} rows`);
      const cpuPerRow = ((cpuOf(pid) - firstCpu) / (ROWS - firstCount)) * 1e6;
      await sink.stop();
      const rate = (ROWS - firstCount) / Math.max(0.001, (done - first) / 1000);
      say(`masking: sink ${kind} run ${i + 1}: ${fmt(rate)} rows/s, sink CPU ${cpuPerRow.toFixed(1)} µs/row`);
      return { rate, cpuPerRow };
    };

    let plain = 0;
    let masked = 0;
    let plainCpu = Infinity;
    let maskedCpu = Infinity;
    for (let i = 0; i < ROUNDS; i++) {
      const a = await run('plain', i);
      const b = await run('masked', i);
      plain = Math.max(plain, a.rate);
      masked = Math.max(masked, b.rate);
      plainCpu = Math.min(plainCpu, a.cpuPerRow);
      maskedCpu = Math.min(maskedCpu, b.cpuPerRow);
    }
    const check = await dbs[dbs.length - 1].query("SELECT count(*) FILTER (WHERE email ~ '^[0-9a-f]{64}$') AS hashed, count(*) FILTER (WHERE phone LIKE '+1 (415) ***-****') AS phones FROM masked_bulk");
    if (Number(check[0].hashed) !== ROWS || Number(check[0].phones) !== ROWS) throw new Error(`bench: the masked destination is not masked as configured (${JSON.stringify(check[0])})`);
    const ratio = masked / plain;
    say(`masking: sink ${fmt(masked)} rows/s with 5 masked columns vs ${fmt(plain)} rows/s without: ratio ${ratio.toFixed(2)}, cost ${((1 - ratio) * 100).toFixed(1)}% (target < 15%); sink CPU ${maskedCpu.toFixed(1)} vs ${plainCpu.toFixed(1)} µs/row`);
    return { rows: ROWS, plainRowsPerSec: Math.round(plain), maskedRowsPerSec: Math.round(masked), plainSinkCpuMicrosPerRow: round2(plainCpu), maskedSinkCpuMicrosPerRow: round2(maskedCpu), ratio: round2(ratio), cost: round2(1 - ratio) };
  } finally {
    await Promise.allSettled(daemons.map((d) => d.stop()));
    await src.query("SELECT pg_drop_replication_slot('nilus_benchmask') FROM pg_replication_slots WHERE slot_name = 'nilus_benchmask'").catch(() => {});
    await Promise.allSettled(dbs.map((d) => d.end()));
  }
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [pg, nats] = await Promise.all([startPostgres({ settings: { synchronous_commit: 'on', max_wal_size: '8GB' } }), startNats()]);
  try {
    const srcUrl = await pg.createDatabase('src');
    await maskingBench({ server: pg, natsUrl: nats.url, srcUrl, say: (s) => process.stdout.write(`${s}\n`) });
  } finally {
    await Promise.allSettled([pg.stop(), nats.stop()]);
  }
}
