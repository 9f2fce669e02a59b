// npm run bench: PostgreSQL → Nilus → PostgreSQL throughput and latency, each
// beside a ceiling measured in the same run on the same servers:
//   bulk       snapshot of BENCH_ROWS rows   vs  COPY TO STDOUT | COPY FROM STDIN
//   streaming  backlog of BENCH_TX single-row transactions  vs  native logical replication
//   latency    commit-to-destination p50/p99 at 2,000 tx/s   vs  native logical replication
// Source, destination and ceiling databases share one PostgreSQL server: on a
// 2-core machine a second server would only compete for the same cores.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { startNats, startPostgres } from '../harness/index.js';
import { Daemon, writeConfig } from '../support/daemons.js';
import { sql } from '../support/pg-compare.js';
import { measureLatency } from './latency.js';
import { exec, fingerprint, fmt, pgTool, timeUntil } from './measure.js';

const ROWS = Number(process.env.BENCH_ROWS ?? 1_000_000);
const TX = Number(process.env.BENCH_TX ?? 200_000);
const RATE = 2000;
const LAT_SECONDS = Number(process.env.BENCH_LATENCY_SECONDS ?? 15);
const say = (s: string) => process.stdout.write(`${s}\n`);

const pgServer = await startPostgres({ settings: { max_wal_size: '8GB', checkpoint_timeout: '30min', wal_sender_timeout: '0', max_worker_processes: '16', synchronous_commit: 'on' } });
const nats = await startNats();
const daemons: Daemon[] = [];
try {
  const [src, dst, native, copy] = await Promise.all(['src', 'dst', 'native', 'copyc'].map((d) => pgServer.createDatabase(d)));
  const conn = (db: string) => ['-h', '127.0.0.1', '-p', String(pgServer.port), '-U', 'postgres', '-d', db];
  const BULK = 'CREATE TABLE bulk (id bigint PRIMARY KEY, a int, b text, c numeric(12,2), d timestamptz)';
  const STREAM = 'CREATE TABLE stream_t (id bigint PRIMARY KEY, v int, note text)';

  say(`bench: seeding ${fmt(ROWS)} rows …`);
  await sql(src, `${BULK}; ${STREAM};
    INSERT INTO bulk SELECT g, g % 1000, md5(g::text) || md5((g * 7)::text), (g % 100000) / 100.0, now() - g * interval '1 second' FROM generate_series(1, ${ROWS}) g;
    INSERT INTO stream_t SELECT g, 0, 'seed' FROM generate_series(1, 100000) g; ANALYZE`);
  await sql(copy, BULK);

  // Bulk ceiling: the server's own COPY out piped into COPY in.
  let t = Date.now();
  await exec('bash', ['-c', `"${pgTool('psql')}" ${conn('src').join(' ')} -c "COPY bulk TO STDOUT" | "${pgTool('psql')}" ${conn('copyc').join(' ')} -c "COPY bulk FROM STDIN"`], { maxBuffer: 1 << 20 });
  const copyRate = ROWS / ((Date.now() - t) / 1000);
  say(`bulk ceiling (COPY→COPY): ${fmt(copyRate)} rows/s`);

  // Bulk through Nilus: from the start of the snapshot until the destination has every row.
  const config = writeConfig({
    nats: { url: nats.url },
    source: { name: 'bench', address: src, options: { 'table.include.list': ['public\\.(bulk|stream_t)'], 'snapshot.fetch.size': 20000, 'heartbeat.interval.ms': 1000 } },
    sink: { name: 'bench', from: 'bench', address: dst, options: {} },
  });
  const capture = new Daemon('capture', config);
  const sink = new Daemon('sink', config);
  daemons.push(capture, sink);
  sink.start();
  capture.start();
  await timeUntil(Date.now(), async () => capture.log.includes('snapshot starting'), 60_000, 'the snapshot to start');
  t = Date.now();
  const bulkMs = await timeUntil(t, async () => Number((await sql(dst, 'SELECT count(*) AS n FROM bulk')).rows[0].n) === ROWS, 600_000, 'the bulk snapshot');
  const bulkRate = ROWS / (bulkMs / 1000);
  say(`bulk nilus: ${fmt(bulkRate)} rows/s`);
  await timeUntil(Date.now(), async () => (await fingerprint(src, 'stream_t', 'v')) === (await fingerprint(dst, 'stream_t', 'v')), 300_000, 'stream_t snapshot');

  // Streaming: the same backlog of single-row transactions drained by native logical replication, then by Nilus.
  await sql(native, STREAM);
  await exec('bash', ['-c', `"${pgTool('psql')}" ${conn('src').join(' ')} -c "COPY stream_t TO STDOUT" | "${pgTool('psql')}" ${conn('native').join(' ')} -c "COPY stream_t FROM STDIN"`]);
  await sql(src, 'CREATE PUBLICATION native_pub FOR TABLE stream_t');
  await sql(src, "SELECT pg_create_logical_replication_slot('native_slot', 'pgoutput')");
  await sql(native, `CREATE SUBSCRIPTION native_sub CONNECTION 'host=127.0.0.1 port=${pgServer.port} user=postgres dbname=src' PUBLICATION native_pub WITH (create_slot = false, slot_name = 'native_slot', copy_data = false, enabled = false)`);
  await Promise.all([capture.stop(), sink.stop()]);
  const script = writeConfig('\\set id random(1, 150000)\nINSERT INTO stream_t (id, v, note) VALUES (:id, 1, \'ins\') ON CONFLICT (id) DO UPDATE SET v = stream_t.v + 1, note = \'upd\';\n', 'tx.sql');
  say(`streaming: writing a backlog of ${fmt(TX)} single-row transactions …`);
  await exec(pgTool('pgbench'), ['-n', '-c', '4', '-j', '2', '-t', String(Math.ceil(TX / 4)), '-f', script, '-h', '127.0.0.1', '-p', String(pgServer.port), '-U', 'postgres', 'src']);
  const target = await fingerprint(src, 'stream_t', 'v');
  const txCount = Math.ceil(TX / 4) * 4;

  t = Date.now();
  await sql(native, 'ALTER SUBSCRIPTION native_sub ENABLE');
  const nativeMs = await timeUntil(t, async () => (await fingerprint(native, 'stream_t', 'v')) === target, 600_000, 'native logical replication to catch up');
  const nativeRate = txCount / (nativeMs / 1000);
  say(`streaming ceiling (native logical replication): ${fmt(nativeRate)} tx/s`);

  capture.log = '';
  sink.start();
  capture.start();
  await timeUntil(Date.now(), async () => capture.log.includes('streaming changes'), 60_000, 'the capture to start streaming');
  t = Date.now();
  const nilusMs = await timeUntil(t, async () => (await fingerprint(dst, 'stream_t', 'v')) === target, 600_000, 'nilus to catch up');
  const nilusRate = txCount / (nilusMs / 1000);
  say(`streaming nilus: ${fmt(nilusRate)} tx/s`);

  say(`latency: ${RATE} single-row tx/s for ${LAT_SECONDS}s, nilus then native …`);
  const latNilus = await measureLatency(src, dst, 'stream_t', 10_000_000, RATE, LAT_SECONDS);
  const latNative = await measureLatency(src, native, 'stream_t', 20_000_000, RATE, LAT_SECONDS);

  const results = {
    rows: ROWS,
    transactions: txCount,
    bulk: { nilusRowsPerSec: Math.round(bulkRate), copyCeilingRowsPerSec: Math.round(copyRate), ratio: +(bulkRate / copyRate).toFixed(2) },
    streaming: { nilusTxPerSec: Math.round(nilusRate), nativeTxPerSec: Math.round(nativeRate), ratio: +(nilusRate / nativeRate).toFixed(2) },
    latencyMs: { rate: RATE, nilus: { p50: +latNilus.p50.toFixed(1), p99: +latNilus.p99.toFixed(1) }, native: { p50: +latNative.p50.toFixed(1), p99: +latNative.p99.toFixed(1) } },
  };
  say('');
  say(`bulk snapshot      nilus ${fmt(bulkRate)} rows/s    ceiling (COPY→COPY) ${fmt(copyRate)} rows/s    ratio ${results.bulk.ratio}   (target ≥ 0.5)`);
  say(`streaming          nilus ${fmt(nilusRate)} tx/s      ceiling (native LR) ${fmt(nativeRate)} tx/s      ratio ${results.streaming.ratio}   (target ≥ 1.0)`);
  say(`latency @${RATE}/s   nilus p50 ${latNilus.p50.toFixed(1)} ms p99 ${latNilus.p99.toFixed(1)} ms    native p50 ${latNative.p50.toFixed(1)} ms p99 ${latNative.p99.toFixed(1)} ms   (target p99 < 200 ms)`);
  writeFileSync(path.join(import.meta.dirname, 'last-results.json'), JSON.stringify(results, null, 2) + '\n');
} finally {
  await Promise.allSettled(daemons.map((d) => d.stop()));
  await sql(pgServer.url('native'), 'ALTER SUBSCRIPTION native_sub DISABLE; ALTER SUBSCRIPTION native_sub SET (slot_name = NONE); DROP SUBSCRIPTION native_sub').catch(() => {});
  await Promise.allSettled([pgServer.stop(), nats.stop()]);
}
