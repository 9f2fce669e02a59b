// npm run bench: PostgreSQL → Nilus → PostgreSQL throughput and latency, each
// beside a ceiling measured in the same run, on the same servers:
//
//   bulk       snapshot of BENCH_ROWS rows            vs  psql COPY TO STDOUT | psql COPY FROM STDIN
//   streaming  BENCH_TX single-row transactions       vs  native logical replication (pgoutput → apply worker)
//              (live: written while the pipeline runs; backlog: written first, then drained)
//   latency    commit-to-destination p50/p99 at BENCH_LATENCY_RATE tx/s  vs  native logical replication
//
// One PostgreSQL server holds the source, the destination and the ceilings'
// databases. On 2 cores a second server adds no CPU: it would only split
// shared_buffers and double the background processes, and every pipeline (COPY,
// native replication, Nilus) pays the same for sharing, so the ratios stay
// fair. Native replication between two databases of one cluster needs its slot
// made by hand (CREATE SUBSCRIPTION would wait on its own server's snapshot).
//
// Nilus and native replication never run at the same time: each runs with the
// other stopped, over the same tables reset to the same (empty) state.
//
// Env: BENCH_ROWS (1,000,000), BENCH_TX (200,000), BENCH_CLIENTS (4),
// BENCH_LATENCY_RATE (2000), BENCH_LATENCY_SECONDS (15), BENCH_POLL_MS (5),
// BENCH_SOURCE_OPTIONS / BENCH_SINK_OPTIONS (JSON merged into the Nilus options),
// BENCH_MYSQL (1; 0 skips the MySQL phases of ./mysql.ts, run at the end).
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { startNats, startPostgres, type NatsServer, type PgServer } from '../harness/index.js';
import { Daemon, writeConfig } from '../support/daemons.js';
import { CpuSampler, formatCpu, type PhaseCpu } from './cpu.js';
import { measureLatency, type LatencyResult } from './latency.js';
import { maskingBench } from './masking.js';
import { Db, exec, fingerprint, fmt, ms1, pgTool, round2, waitForSnapshot, waitUntil } from './measure.js';
import { mysqlBench, type MysqlStreamRun as StreamRun } from './mysql.js';

const ROWS = Number(process.env.BENCH_ROWS ?? 1_000_000);
const TX = Number(process.env.BENCH_TX ?? 200_000);
const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 4);
const RATE = Number(process.env.BENCH_LATENCY_RATE ?? 2000);
const LAT_SECONDS = Number(process.env.BENCH_LATENCY_SECONDS ?? 15);
const POLL_MS = Number(process.env.BENCH_POLL_MS ?? 5);
const SOURCE_OPTIONS = { 'heartbeat.interval.ms': 1000, ...JSON.parse(process.env.BENCH_SOURCE_OPTIONS ?? '{}') };
const SINK_OPTIONS = { ...JSON.parse(process.env.BENCH_SINK_OPTIONS ?? '{}') };
const PG_SETTINGS = {
  max_wal_size: '8GB',
  checkpoint_timeout: '30min',
  wal_sender_timeout: '0',
  max_worker_processes: '16',
  // Logical decoding only sends WAL that is flushed: with the harness' default
  // (off) every pipeline, native too, would wait for the WAL writer's 200 ms
  // cycle. fsync stays off, so a commit is still cheap.
  synchronous_commit: 'on',
  // The launcher starts a subscription's worker at most this often; the default 5 s would count as drain time.
  wal_retrieve_retry_interval: '100ms',
};
const PER_CLIENT = Math.ceil(TX / CLIENTS);
const TX_COUNT = PER_CLIENT * CLIENTS;
// Upserts over a key range half the transaction count: ~45% inserts, ~55% updates.
const KEY_RANGE = Math.max(1, Math.floor(TX_COUNT / 2));

const say = (s: string) => process.stdout.write(`${s}\n`);
const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

const TABLES = {
  bulk: 'CREATE TABLE bulk (id bigint PRIMARY KEY, a int, b text, c numeric(12,2), d timestamptz)',
  stream_t: 'CREATE TABLE stream_t (id bigint PRIMARY KEY, v int, note text)',
  lat_t: 'CREATE TABLE lat_t (id bigint PRIMARY KEY, v int, note text)',
};

const cpu = new CpuSampler();
const cpuByPhase: Record<string, PhaseCpu> = {};
const endCpu = () => {
  const p = cpu.end();
  if (p) {
    cpuByPhase[p.phase] = p;
    say(formatCpu(p));
  }
};

let pgServer: PgServer | null = null;
let nats: NatsServer | null = null;
const daemons: Daemon[] = [];
const dbs: Db[] = [];
const db = (url: string) => {
  const d = new Db(url);
  dbs.push(d);
  return d;
};

try {
  const started = performance.now();
  [pgServer, nats] = await Promise.all([startPostgres({ settings: PG_SETTINGS }), startNats()]);
  const server = pgServer;
  const [srcUrl, dstUrl, ceilUrl, nativeUrl] = await Promise.all(['src', 'dst', 'ceiling', 'native'].map((d) => server.createDatabase(d)));
  const src = db(srcUrl);
  const dst = db(dstUrl);
  const ceil = db(ceilUrl);
  const native = db(nativeUrl);
  const version = (await src.query('SHOW server_version'))[0].server_version;
  const psql = (dbName: string) => `"${pgTool('psql')}" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p ${server.port} -U postgres -d ${dbName}`;
  say(`bench: PostgreSQL ${version}, ${fmt(ROWS)} rows, ${fmt(TX_COUNT)} transactions from ${CLIENTS} clients, latency at ${RATE}/s for ${LAT_SECONDS} s`);

  // ---- setup -------------------------------------------------------------
  say(`seeding ${fmt(ROWS)} rows …`);
  await src.query(`${TABLES.bulk}; ${TABLES.stream_t}; ${TABLES.lat_t}`);
  await src.query(`INSERT INTO bulk SELECT g, g % 1000, md5(g::text) || left(md5((g * 7)::text), 18), (g % 100000) / 100.0, now() - g * interval '1 second' FROM generate_series(1, ${ROWS}) g`);
  await src.query('VACUUM ANALYZE bulk');
  await ceil.query(TABLES.bulk);
  await native.query(`${TABLES.stream_t}; ${TABLES.lat_t}`);
  const bulkCheck = 'SELECT count(*)::text || \':\' || sum(a)::text || \':\' || sum(c)::text || \':\' || sum(length(b))::text AS f FROM bulk';
  const bulkSource = (await src.query(bulkCheck))[0].f;
  await src.query('CHECKPOINT');

  // ---- bulk ceiling: the server's own COPY out piped into COPY in ----------
  cpu.begin('bulk ceiling (COPY→COPY)');
  let t0 = performance.now();
  await exec('bash', ['-o', 'pipefail', '-c', `${psql('src')} -c "COPY bulk TO STDOUT" | ${psql('ceiling')} -c "COPY bulk FROM STDIN"`], { maxBuffer: 1 << 20 });
  const copyMs = performance.now() - t0;
  endCpu();
  if ((await ceil.query(bulkCheck))[0].f !== bulkSource) throw new Error('bench: the COPY ceiling copied different rows');
  const copyRate = ROWS / (copyMs / 1000);
  say(`bulk ceiling (COPY→COPY): ${fmt(copyRate)} rows/s (${secs(copyMs)})`);
  await src.query('CHECKPOINT');

  // ---- bulk through Nilus: from starting both daemons until the destination holds every row ----
  const config = writeConfig({
    nats: { url: nats.url },
    source: { name: 'bench', address: srcUrl, options: { 'table.include.list': ['public\\.(bulk|stream_t|lat_t)'], ...SOURCE_OPTIONS } },
    sink: { name: 'bench', from: 'bench', address: dstUrl, options: SINK_OPTIONS },
  });
  const capture = new Daemon('capture', config);
  const sink = new Daemon('sink', config);
  daemons.push(capture, sink);
  cpu.begin('bulk nilus');
  t0 = performance.now();
  sink.start();
  capture.start();
  // The snapshot reads in key order and the sink commits in stream order, so max(id) = N means all N rows are there.
  const { done: bulkDone, snapshotStarted } = await waitForSnapshot('the bulk snapshot to reach the destination', capture, sink, async () => (await dst.num('SELECT max(id) FROM bulk')) === ROWS, 900_000);
  endCpu();
  const bulkMs = bulkDone - t0;
  const bulkRate = ROWS / (bulkMs / 1000);
  const bulkSnapshotOnlyRate = ROWS / ((bulkDone - snapshotStarted) / 1000);
  if ((await dst.query(bulkCheck))[0].f !== bulkSource) throw new Error('bench: the Nilus destination holds different bulk rows');
  say(`bulk nilus: ${fmt(bulkRate)} rows/s (${secs(bulkMs)} from starting the daemons; ${fmt(bulkSnapshotOnlyRate)} rows/s from 'snapshot starting')`);
  await waitUntil("the capture's switch to streaming", async () => capture.log.includes('streaming changes'), 60_000);

  // ---- the streaming workload, run identically against each pipeline ------
  const script = writeConfig(`\\set id random(1, ${KEY_RANGE})\nINSERT INTO stream_t (id, v, note) VALUES (:id, 1, 'ins') ON CONFLICT (id) DO UPDATE SET v = stream_t.v + 1, note = 'upd';\n`, 'tx.sql');
  const pgbench = async (): Promise<number> => {
    const t = performance.now();
    await exec(pgTool('pgbench'), ['-n', '-c', String(CLIENTS), '-j', String(Math.min(CLIENTS, 2)), '-t', String(PER_CLIENT), '-f', script, '-h', '127.0.0.1', '-p', String(server.port), '-U', 'postgres', 'src'], { maxBuffer: 1 << 22 });
    return TX_COUNT / ((performance.now() - t) / 1000);
  };
  /** A row committed after everything else: once it is visible, every earlier commit is (both pipelines apply in commit order). */
  const marker = async (id: number): Promise<void> => {
    await src.query(`INSERT INTO stream_t (id, v, note) VALUES (${id}, 0, 'marker')`);
  };
  const markerSeen = (dest: Db, id: number) => async () => (await dest.query(`SELECT 1 FROM stream_t WHERE id = ${id}`)).length === 1;
  const sameStream = async (dest: Db, who: string) => {
    const [a, b] = await Promise.all([fingerprint(src, 'stream_t', 'v'), fingerprint(dest, 'stream_t', 'v')]);
    if (a !== b) throw new Error(`bench: ${who} destination differs from the source after streaming (count:sum ${b} vs ${a})`);
  };
  /** Warm-up: one row through the pipeline, so tables exist downstream and the pipeline is known to be live and idle. */
  const warm = async (dest: Db, table: string) => {
    await src.query(`INSERT INTO ${table} (id, v, note) VALUES (0, 0, 'warm') ON CONFLICT (id) DO UPDATE SET v = ${table}.v + 1`);
    const want = await src.num(`SELECT v FROM ${table} WHERE id = 0`);
    await waitUntil(`the warm-up row in ${table}`, async () => (await dest.num(`SELECT v FROM ${table} WHERE id = 0`)) === want, 120_000);
  };

  async function streamingRun(who: 'nilus' | 'native', dest: Db, pause: () => Promise<void>, resume: () => Promise<number>): Promise<StreamRun> {
    await warm(dest, 'stream_t');
    // Live: M transactions while the pipeline runs; from the first commit until the last is at the destination.
    say(`streaming ${who} (live): ${fmt(TX_COUNT)} transactions …`);
    cpu.begin(`streaming live ${who}`);
    const t = performance.now();
    const writerRate = await pgbench();
    await marker(-1);
    const done = await waitUntil(`${who} to catch up (live)`, markerSeen(dest, -1), 600_000);
    endCpu();
    const liveSeconds = (done - t) / 1000;
    await sameStream(dest, who);
    say(`streaming ${who} (live): ${fmt((TX_COUNT + 1) / liveSeconds)} tx/s (${liveSeconds.toFixed(1)} s; the writers alone reached ${fmt(writerRate)} tx/s)`);

    // Backlog: M transactions written with the pipeline stopped, then drained.
    await pause();
    say(`streaming ${who} (backlog): writing ${fmt(TX_COUNT)} transactions with the pipeline stopped …`);
    const backlogWriter = await pgbench();
    await marker(-2);
    await src.query('CHECKPOINT');
    cpu.begin(`streaming backlog ${who}`);
    const resumed = await resume();
    const drained = await waitUntil(`${who} to drain the backlog`, markerSeen(dest, -2), 600_000);
    endCpu();
    const drainSeconds = (drained - resumed) / 1000;
    await sameStream(dest, who);
    say(`streaming ${who} (backlog): drained at ${fmt((TX_COUNT + 1) / drainSeconds)} tx/s (${drainSeconds.toFixed(1)} s)`);
    return { writerTxPerSec: writerRate, liveTxPerSec: (TX_COUNT + 1) / liveSeconds, liveSeconds, backlogWriterTxPerSec: backlogWriter, backlogDrainTxPerSec: (TX_COUNT + 1) / drainSeconds, backlogDrainSeconds: drainSeconds };
  }

  async function latencyRun(who: string, destUrl: string, dest: Db): Promise<LatencyResult> {
    await warm(dest, 'lat_t');
    say(`latency ${who}: ${RATE} single-row tx/s for ${LAT_SECONDS} s …`);
    cpu.begin(`latency ${who}`);
    const r = await measureLatency(srcUrl, destUrl, 'lat_t', RATE, LAT_SECONDS, POLL_MS);
    endCpu();
    say(`latency ${who}: p50 ${ms1(r.p50)} ms, p99 ${ms1(r.p99)} ms, max ${ms1(r.max)} ms (${fmt(r.achievedRate)} tx/s written${r.unseen ? `, ${r.unseen} rows never seen` : ''})`);
    return r;
  }

  // ---- Nilus ----
  const nilusStream = await streamingRun(
    'nilus',
    dst,
    async () => {
      await capture.stop(); // the sink keeps running, idle
    },
    async () => {
      capture.log = '';
      capture.start();
      // Drain time counts from the capture's first read of the slot, as native's counts from ENABLE.
      return waitUntil('the capture to resume streaming', async () => capture.log.includes('streaming changes'), 60_000, 5);
    },
  );
  const nilusLat = await latencyRun('nilus', dstUrl, dst);
  await Promise.all([capture.stop(), sink.stop()]);

  // ---- native logical replication, over the same tables reset to empty ----
  await src.query('TRUNCATE stream_t, lat_t');
  await native.query('TRUNCATE stream_t, lat_t');
  await src.query('CHECKPOINT');
  await src.query('CREATE PUBLICATION native_pub FOR TABLE stream_t, lat_t');
  await src.query("SELECT pg_create_logical_replication_slot('native_slot', 'pgoutput')");
  await native.query(`CREATE SUBSCRIPTION native_sub CONNECTION 'host=127.0.0.1 port=${server.port} user=postgres dbname=src' PUBLICATION native_pub WITH (create_slot = false, slot_name = 'native_slot', copy_data = false)`);
  const slotActive = async () => (await src.query("SELECT active FROM pg_replication_slots WHERE slot_name = 'native_slot'"))[0].active === 't';
  const nativeStream = await streamingRun(
    'native',
    native,
    async () => {
      await native.query('ALTER SUBSCRIPTION native_sub DISABLE');
      await waitUntil('the native walsender to stop', async () => !(await slotActive()), 60_000);
    },
    async () => {
      await native.query('ALTER SUBSCRIPTION native_sub ENABLE');
      // Drain time counts from the walsender's start on the slot, as Nilus' counts from the capture's.
      return waitUntil('the native walsender to start', slotActive, 60_000, 5);
    },
  );
  const nativeLat = await latencyRun('native', nativeUrl, native);
  const masking = await maskingBench({ server, natsUrl: nats.url, srcUrl, say });
  cpu.stop();

  // ---- results -------------------------------------------------------------
  const results = {
    at: new Date().toISOString(),
    machine: { cores: (await import('node:os')).cpus().length, postgres: version, node: process.version },
    parameters: { rows: ROWS, transactions: TX_COUNT, clients: CLIENTS, keyRange: KEY_RANGE, latencyRate: RATE, latencySeconds: LAT_SECONDS, pollMs: POLL_MS, pgSettings: PG_SETTINGS, sourceOptions: SOURCE_OPTIONS, sinkOptions: SINK_OPTIONS },
    bulk: {
      nilusRowsPerSec: Math.round(bulkRate),
      nilusSeconds: round2(bulkMs / 1000),
      nilusRowsPerSecFromSnapshotStart: Math.round(bulkSnapshotOnlyRate),
      copyCeilingRowsPerSec: Math.round(copyRate),
      copySeconds: round2(copyMs / 1000),
      ratio: round2(bulkRate / copyRate),
    },
    streaming: {
      nilus: roundAll(nilusStream),
      native: roundAll(nativeStream),
      liveRatio: round2(nilusStream.liveTxPerSec / nativeStream.liveTxPerSec),
      backlogRatio: round2(nilusStream.backlogDrainTxPerSec / nativeStream.backlogDrainTxPerSec),
    },
    latencyMs: { rate: RATE, nilus: roundAll(nilusLat), native: roundAll(nativeLat) },
    masking,
    cpuCoresByPhase: cpuByPhase,
    totalSeconds: Math.round((performance.now() - started) / 1000),
  };
  const pad = (s: string, n: number) => s.padEnd(n);
  say('');
  say(`${pad('bulk snapshot', 20)}nilus ${pad(`${fmt(bulkRate)} rows/s`, 18)}ceiling (COPY→COPY) ${pad(`${fmt(copyRate)} rows/s`, 18)}ratio ${results.bulk.ratio.toFixed(2)}   (target ≥ 0.5)`);
  say(`${pad('streaming (live)', 20)}nilus ${pad(`${fmt(nilusStream.liveTxPerSec)} tx/s`, 18)}ceiling (native LR) ${pad(`${fmt(nativeStream.liveTxPerSec)} tx/s`, 18)}ratio ${results.streaming.liveRatio.toFixed(2)}   (target ≥ 1.0)`);
  say(`${pad('streaming (backlog)', 20)}nilus ${pad(`${fmt(nilusStream.backlogDrainTxPerSec)} tx/s`, 18)}ceiling (native LR) ${pad(`${fmt(nativeStream.backlogDrainTxPerSec)} tx/s`, 18)}ratio ${results.streaming.backlogRatio.toFixed(2)}`);
  say(`${pad(`latency @${RATE}/s`, 20)}nilus p50 ${ms1(nilusLat.p50)} ms p99 ${ms1(nilusLat.p99)} ms   native p50 ${ms1(nativeLat.p50)} ms p99 ${ms1(nativeLat.p99)} ms   (target p99 < 200 ms; poll every ${POLL_MS} ms)`);
  say(`${pad('sink, 5 masked cols', 20)}masked ${pad(`${fmt(masking.maskedRowsPerSec)} rows/s`, 17)}unmasked ${pad(`${fmt(masking.plainRowsPerSec)} rows/s`, 22)}ratio ${masking.ratio.toFixed(2)}   (target ≥ 0.85)`);
  say(`(bulk nilus counts from starting the daemons: ${secs(bulkMs)}, of which ${secs(snapshotStarted - t0)} before 'snapshot starting'. Live streaming counts from the first commit to the last at the destination; the writers alone reached ${fmt(nilusStream.writerTxPerSec)} tx/s beside Nilus and ${fmt(nativeStream.writerTxPerSec)} tx/s beside native.)`);
  // MySQL → PostgreSQL and MySQL → MySQL beside their ceilings (own MariaDB server; this PostgreSQL and NATS).
  if (process.env.BENCH_MYSQL !== '0') Object.assign(results, { mysql: await mysqlBench({ say, pg: server, nats: nats ?? undefined }) });
  const out = path.join(import.meta.dirname, 'last-results.json');
  writeFileSync(out, JSON.stringify(results, null, 2) + '\n');
  say(`results written to ${path.relative(process.cwd(), out)} (${results.totalSeconds} s in all)`);
} finally {
  cpu.stop();
  await Promise.allSettled(daemons.map((d) => d.stop()));
  if (pgServer) {
    // The subscription's worker would otherwise hold the server open on shutdown.
    await pgServer.query("ALTER SUBSCRIPTION native_sub DISABLE; ALTER SUBSCRIPTION native_sub SET (slot_name = NONE); DROP SUBSCRIPTION native_sub", 'native').catch(() => {});
  }
  await Promise.allSettled(dbs.map((d) => d.end()));
  await Promise.allSettled([pgServer?.stop(), nats?.stop()]);
}

function roundAll<T extends object>(o: T): Record<keyof T, number> {
  return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, typeof v === 'number' ? (Number.isFinite(v) ? (Math.abs(v) >= 100 ? Math.round(v) : round2(v)) : String(v)) : v])) as Record<keyof T, number>;
}
