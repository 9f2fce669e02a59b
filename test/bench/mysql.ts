// MySQL (MariaDB 10.11) → Nilus → PostgreSQL and → MySQL (MariaDB), each beside
// a ceiling measured in the same run, on the same servers:
//
//   snapshot   BENCH_MYSQL_ROWS rows          vs  mariadb-dump --no-create-info --single-transaction | mariadb
//                                                 (the native logical copy into a second database of the same server)
//   streaming  BENCH_MYSQL_TX single-row      vs  native replication: a second MariaDB server as a replica
//              transactions from                  (IO thread + SQL thread, default single-threaded apply) draining
//              BENCH_MYSQL_CLIENTS clients        the same binlog segment; also mariadb-binlog | mariadb replaying
//                                                 it, and, for live streaming, the writers' own rate
//              (live: written while the pipeline runs; backlog: written with the capture stopped, then drained)
//
// Why these ceilings: MySQL has no built-in MySQL → PostgreSQL path, so both
// pipelines are set against what MySQL itself does for the same work. The dump
// pipe is the usual way to copy a table's rows between MySQL databases. For
// streaming, the replica is what native replication does with exactly the
// events Nilus reads: it drains the backlog segment (written while every
// pipeline is stopped, so it holds only the writers' events) from START SLAVE
// until the last row is visible, as Nilus' drain counts from the capture's
// connect. The replica commits every source transaction on its own (its default,
// single-threaded, innodb_flush_log_at_trx_commit=2); Nilus' sink applies many
// in one destination transaction, which is why it can drain faster. The
// mariadb-binlog pipe is shown for reference only: its client
// sends every event as its own statement and round trip, so it is a weak
// ceiling. Live streaming cannot go faster than the writers, so its ratio is
// against their rate (1.0 = Nilus kept up).
//
// One MariaDB server (ROW binlog, innodb_flush_log_at_trx_commit=2, sync_binlog=0 as
// the harness starts it) holds the source, the MySQL destination and the ceilings'
// databases; one PostgreSQL server the PostgreSQL destination; all on the same cores.
// Each pipeline has its own capture (its own stream) and runs alone. The replica
// is a second MariaDB server (no binlog), idle except while it drains.
//
// Run alone: node --import tsx test/bench/mysql.ts (run.ts calls it at the end unless BENCH_MYSQL=0).
// Env: BENCH_MYSQL_ROWS (1,000,000), BENCH_MYSQL_TX (100,000), BENCH_MYSQL_CLIENTS (4).
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type mysql from 'mysql2/promise';
import { connectMysql } from '../../shared/mysql/mysql-connect.js';
import { startMariaDb, startNats, startPostgres, type MariaDbServer, type NatsServer, type PgServer } from '../harness/index.js';
import { Daemon, writeConfig } from '../support/daemons.js';
import { CpuSampler, formatCpu, type PhaseCpu } from './cpu.js';
import { Db, exec, fmt, round2, waitForSnapshot, waitUntil } from './measure.js';

const ROWS = Number(process.env.BENCH_MYSQL_ROWS ?? 1_000_000);
const TX = Number(process.env.BENCH_MYSQL_TX ?? 100_000);
const CLIENTS = Number(process.env.BENCH_MYSQL_CLIENTS ?? 4);
const PER_CLIENT = Math.ceil(TX / CLIENTS);
const TX_COUNT = PER_CLIENT * CLIENTS;
// Upserts over a key range half the transaction count: roughly half inserts, half updates.
const KEY_RANGE = Math.max(1, Math.floor(TX_COUNT / 2));

const TABLES = {
  bulk: 'CREATE TABLE bulk (id bigint PRIMARY KEY, a int, b varchar(64), c decimal(12,2), d datetime(6))',
  stream_t: 'CREATE TABLE stream_t (id bigint PRIMARY KEY, v int, note varchar(20))',
};

/** One long-lived MySQL connection (Nilus' session settings: UTC, utf8mb4). */
class MyDb {
  private readonly conn: Promise<mysql.Connection>;
  constructor(readonly url: string) {
    this.conn = connectMysql(url, 'source', { multipleStatements: true });
    this.conn.catch(() => {});
  }
  async query(sql: string): Promise<Record<string, unknown>[]> {
    return (await (await this.conn).query(sql))[0] as Record<string, unknown>[];
  }
  async num(sql: string): Promise<number> {
    const r = (await this.query(sql))[0];
    const v = r ? Object.values(r)[0] : null;
    return v === null || v === undefined ? NaN : Number(v);
  }
  async end(): Promise<void> {
    await (await this.conn.catch(() => null))?.end().catch(() => {});
  }
}

interface Poller {
  num(sql: string): Promise<number>;
}

/** One streaming phase: live (writers and pipeline together), then a backlog written first and drained (the Postgres bench uses it too). */
export interface MysqlStreamRun {
  writerTxPerSec: number;
  liveTxPerSec: number;
  liveSeconds: number;
  backlogWriterTxPerSec: number;
  backlogDrainTxPerSec: number;
  backlogDrainSeconds: number;
}

export interface MysqlBenchResults {
  parameters: { rows: number; transactions: number; clients: number; keyRange: number; mariadb: string };
  snapshot: { ceilingRowsPerSec: number; ceilingSeconds: number; toPostgres: { rowsPerSec: number; seconds: number; rowsPerSecFromSnapshotStart: number; ratio: number }; toMysql: { rowsPerSec: number; seconds: number; rowsPerSecFromSnapshotStart: number; ratio: number } };
  streaming: {
    replicaCeilingTxPerSec: number;
    replicaSeconds: number;
    binlogReplayTxPerSec: number;
    binlogReplaySeconds: number;
    toPostgres: MysqlStreamRun & { liveRatioToWriters: number; backlogRatioToReplica: number; backlogRatioToReplay: number };
    toMysql: MysqlStreamRun & { liveRatioToWriters: number; backlogRatioToReplica: number; backlogRatioToReplay: number };
  };
  cpuCoresByPhase: Record<string, PhaseCpu>;
  loadAverage: { before: number[]; after: number[] };
}

/**
 * Runs the MySQL phases; starts a MariaDB server, and a PostgreSQL server and
 * NATS unless given (run.ts passes its own).
 */
export async function mysqlBench(opts: { say?: (s: string) => void; pg?: PgServer; nats?: NatsServer } = {}): Promise<MysqlBenchResults> {
  const say = opts.say ?? ((s: string) => process.stdout.write(`${s}\n`));
  const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  const cpu = new CpuSampler();
  const cpuByPhase: Record<string, PhaseCpu> = {};
  const endCpu = () => {
    const p = cpu.end();
    if (p) {
      cpuByPhase[`mysql ${p.phase}`] = p;
      say(formatCpu(p));
    }
  };
  const loadBefore = os.loadavg().map(round2);
  let maria: MariaDbServer | null = null;
  let pgServer: PgServer | null = opts.pg ?? null;
  let nats: NatsServer | null = opts.nats ?? null;
  const owned: { stop(): Promise<unknown> }[] = [];
  const daemons: Daemon[] = [];
  const conns: { end(): Promise<void> }[] = [];
  const my = (url: string) => {
    const d = new MyDb(url);
    conns.push(d);
    return d;
  };
  try {
    const [m, rs, p, n] = await Promise.all([startMariaDb(), startMariaDb({ binlogFormat: 'OFF' }), pgServer ?? startPostgres({ settings: { synchronous_commit: 'on' } }), nats ?? startNats()]);
    maria = m;
    owned.push(m, rs);
    if (!pgServer) owned.push(p);
    if (!nats) owned.push(n);
    [pgServer, nats] = [p, n];
    const server = m;
    const pgs = p;
    const root = my(server.url(''));
    for (const d of ['src', 'ceil', 'dstm']) await root.query(`CREATE DATABASE ${d} CHARACTER SET utf8mb4`);
    const pgDstUrl = await pgs.createDatabase('from_mysql');
    const pgDst = new Db(pgDstUrl);
    conns.push(pgDst);
    const src = my(server.url('src'));
    const ceil = my(server.url('ceil'));
    const dstm = my(server.url('dstm'));
    await rs.query(`SET GLOBAL server_id = 2; CREATE DATABASE src CHARACTER SET utf8mb4; USE src; ${TABLES.stream_t}`);
    const replica = my(rs.url('src'));
    const version = String((await root.query('SELECT VERSION() AS v'))[0].v);
    const client = (db: string) => `mariadb --no-defaults --protocol=TCP -h127.0.0.1 -P${server.port} -uroot ${db}`;
    say(`bench mysql: MariaDB ${version}, ${fmt(ROWS)} rows, ${fmt(TX_COUNT)} transactions from ${CLIENTS} clients; load average ${loadBefore.join(' ')}`);

    // ---- setup -------------------------------------------------------------
    say(`seeding ${fmt(ROWS)} rows …`);
    await src.query(`${TABLES.bulk}; ${TABLES.stream_t}`);
    await ceil.query(`${TABLES.bulk}; ${TABLES.stream_t}`);
    await src.query(`INSERT INTO bulk SELECT seq, seq % 1000, CONCAT(MD5(seq), LEFT(MD5(seq * 7), 18)), (seq % 100000) / 100, TIMESTAMP'2026-01-01 00:00:00.123456' - INTERVAL seq SECOND FROM seq_1_to_${ROWS}`);
    await src.query('ANALYZE TABLE bulk');
    const bulkCheck = 'SELECT CONCAT(count(*), \':\', sum(a), \':\', sum(c), \':\', sum(length(b))) AS f FROM bulk';
    const bulkSource = String((await src.query(bulkCheck))[0].f);
    const pgBulkCheck = "SELECT count(*)::text || ':' || sum(a)::text || ':' || sum(c)::text || ':' || sum(length(b))::text AS f FROM src.bulk";

    // ---- snapshot ceiling: the server's own dump piped into a second database ----
    cpu.begin('snapshot ceiling (mariadb-dump | mariadb)');
    let t0 = performance.now();
    await exec('bash', ['-o', 'pipefail', '-c', `mariadb-dump --no-defaults --protocol=TCP -h127.0.0.1 -P${server.port} -uroot --no-create-info --single-transaction --skip-triggers src bulk | ${client('ceil')}`], { maxBuffer: 1 << 20 });
    const dumpMs = performance.now() - t0;
    endCpu();
    if (String((await ceil.query(bulkCheck))[0].f) !== bulkSource) throw new Error('bench mysql: the dump ceiling copied different rows');
    const dumpRate = ROWS / (dumpMs / 1000);
    say(`snapshot ceiling (mariadb-dump | mariadb): ${fmt(dumpRate)} rows/s (${secs(dumpMs)})`);

    // ---- the streaming workload ----------------------------------------------
    const upsert = `INSERT INTO stream_t (id, v, note) VALUES (FLOOR(1 + RAND() * ${KEY_RANGE}), 1, 'ins') ON DUPLICATE KEY UPDATE v = v + 1, note = 'upd'`;
    const comInsert = async () => Number((await root.query("SHOW GLOBAL STATUS LIKE 'Com_insert'"))[0].Value);
    /** CLIENTS connections, autocommit: every statement is one single-row transaction. */
    const writers = async (): Promise<number> => {
      const before = await comInsert();
      const t = performance.now();
      await exec('mariadb-slap', ['--no-defaults', '--protocol=TCP', '-h127.0.0.1', `-P${server.port}`, '-uroot', '--create-schema=src', '--no-drop', `--concurrency=${CLIENTS}`, `--number-of-queries=${TX_COUNT}`, '--iterations=1', `--query=${upsert}`], { maxBuffer: 1 << 22 });
      const seconds = (performance.now() - t) / 1000;
      // A floor only: the MySQL sink's own INSERTs (into dstm) count too while it runs.
      const n = (await comInsert()) - before;
      if (n < TX_COUNT - CLIENTS) throw new Error(`bench mysql: the writers committed ${n} transactions, expected ${TX_COUNT}`);
      return TX_COUNT / seconds;
    };
    const marker = async (id: number) => {
      await src.query(`INSERT INTO stream_t (id, v, note) VALUES (${id}, 0, 'marker')`);
    };
    const fingerprint = "SELECT CONCAT(count(*), ':', coalesce(sum(v), 0)) AS f FROM stream_t";
    const sourcePrint = async () => String((await src.query(fingerprint))[0].f);
    const masterStatus = async () => {
      const r = (await root.query('SHOW MASTER STATUS'))[0];
      return { file: String(r.File), pos: Number(r.Position) };
    };

    interface Pipeline {
      who: 'postgres' | 'mysql';
      dest: Poller;
      destPrint: () => Promise<string>;
      capture: Daemon;
      sink: Daemon;
    }
    const pipeline = (who: Pipeline['who']): Pipeline => {
      const address = who === 'postgres' ? pgDstUrl : server.url('dstm');
      const config = writeConfig({
        nats: { url: n.url },
        source: { name: `my_${who}`, address: server.url('src'), options: { 'table.include.list': ['src\\.(bulk|stream_t)'] } },
        sink: { name: `to_${who}`, from: `my_${who}`, address, options: {} },
      });
      const capture = new Daemon('capture', config);
      const sink = new Daemon('sink', config);
      daemons.push(capture, sink);
      const dest: Poller = who === 'postgres' ? { num: (sql) => pgDst.num(sql.replace(/\b(bulk|stream_t)\b/g, 'src.$1')) } : dstm;
      const destPrint = who === 'postgres' ? async () => String((await pgDst.query("SELECT count(*)::text || ':' || coalesce(sum(v), 0)::text AS f FROM src.stream_t"))[0].f) : async () => String((await dstm.query(fingerprint))[0].f);
      return { who, dest, destPrint, capture, sink };
    };

    async function snapshotRun(pl: Pipeline) {
      const { capture, sink, who } = pl;
      cpu.begin(`snapshot nilus → ${who}`);
      const t = performance.now();
      sink.start();
      capture.start();
      // The snapshot reads in key order and the sink commits in stream order, so max(id) = N means all N rows are there.
      const { done, snapshotStarted } = await waitForSnapshot(`the snapshot to reach ${who}`, capture, sink, async () => (await pl.dest.num('SELECT max(id) FROM bulk')) === ROWS, 1_800_000);
      endCpu();
      const ms = done - t;
      const check = who === 'postgres' ? String((await pgDst.query(pgBulkCheck))[0].f) : String((await dstm.query(bulkCheck))[0].f);
      // PostgreSQL prints sum(numeric(12,2)) like MariaDB prints sum(decimal(12,2)).
      if (check !== bulkSource) throw new Error(`bench mysql: the ${who} destination holds different bulk rows (${check} vs ${bulkSource})`);
      const r = { rowsPerSec: ROWS / (ms / 1000), seconds: ms / 1000, rowsPerSecFromSnapshotStart: ROWS / ((done - snapshotStarted) / 1000) };
      say(`snapshot nilus → ${who}: ${fmt(r.rowsPerSec)} rows/s (${secs(ms)} from starting the daemons; ${fmt(r.rowsPerSecFromSnapshotStart)} rows/s from 'snapshot starting')`);
      await waitUntil("the capture's switch to the binlog", async () => capture.log.includes('streaming binlog'), 120_000);
      return r;
    }

    let replay: { txPerSec: number; seconds: number } | null = null;
    let replicaRun: { txPerSec: number; seconds: number } | null = null;

    async function streamingRun(pl: Pipeline): Promise<MysqlStreamRun> {
      const { who, capture } = pl;
      const seen = (id: number) => async () => (await pl.dest.num(`SELECT count(*) FROM stream_t WHERE id = ${id}`)) === 1;
      const same = async () => {
        const [a, b] = await Promise.all([sourcePrint(), pl.destPrint()]);
        if (a !== b) throw new Error(`bench mysql: the ${who} destination differs from the source after streaming (count:sum ${b} vs ${a})`);
      };
      // Warm-up: one row through, so the table exists downstream and the pipeline is live and idle.
      await src.query("INSERT INTO stream_t (id, v, note) VALUES (0, 0, 'warm') ON DUPLICATE KEY UPDATE v = v + 1");
      const want = await src.num('SELECT v FROM stream_t WHERE id = 0');
      await waitUntil(`the warm-up row in ${who}`, async () => (await pl.dest.num('SELECT v FROM stream_t WHERE id = 0')) === want, 120_000);

      say(`streaming nilus → ${who} (live): ${fmt(TX_COUNT)} transactions …`);
      cpu.begin(`streaming live → ${who}`);
      const t = performance.now();
      const writerRate = await writers();
      await marker(-1);
      const done = await waitUntil(`${who} to catch up (live)`, seen(-1), 900_000);
      endCpu();
      const liveSeconds = (done - t) / 1000;
      await same();
      say(`streaming nilus → ${who} (live): ${fmt((TX_COUNT + 1) / liveSeconds)} tx/s (${liveSeconds.toFixed(1)} s; the writers alone reached ${fmt(writerRate)} tx/s)`);

      // Backlog: written with the capture stopped, then drained.
      await capture.stop();
      // The replay ceiling needs the source's rows as they are at the segment's start: copy them first (once).
      const withReplay = replay === null;
      if (withReplay) {
        await ceil.query('TRUNCATE stream_t; INSERT INTO stream_t SELECT * FROM src.stream_t');
        await exec('bash', ['-o', 'pipefail', '-c', `mariadb-dump --no-defaults --protocol=TCP -h127.0.0.1 -P${server.port} -uroot --no-create-info --single-transaction src stream_t | mariadb --no-defaults --protocol=TCP -h127.0.0.1 -P${rs.port} -uroot src`], { maxBuffer: 1 << 20 });
      }
      const from = await masterStatus();
      say(`streaming nilus → ${who} (backlog): writing ${fmt(TX_COUNT)} transactions with the capture stopped …`);
      const backlogWriter = await writers();
      await marker(-2);
      const to = await masterStatus();
      cpu.begin(`streaming backlog → ${who}`);
      capture.log = '';
      capture.start();
      const resumed = await waitUntil('the capture to resume streaming', async () => capture.log.includes('streaming binlog'), 60_000, 5);
      const drained = await waitUntil(`${who} to drain the backlog`, seen(-2), 900_000);
      endCpu();
      const drainSeconds = (drained - resumed) / 1000;
      await same();
      say(`streaming nilus → ${who} (backlog): drained at ${fmt((TX_COUNT + 1) / drainSeconds)} tx/s (${drainSeconds.toFixed(1)} s)`);

      if (withReplay) {
        // Native replication of the same segment, with the pipeline idle: the replica starts reading at the segment's start.
        say(`streaming ceiling (replica): draining ${fmt(TX_COUNT + 1)} transactions …`);
        await replica.query(`SET GLOBAL replicate_do_db = 'src'; CHANGE MASTER TO MASTER_HOST = '127.0.0.1', MASTER_PORT = ${server.port}, MASTER_USER = 'root', MASTER_PASSWORD = '', MASTER_LOG_FILE = '${from.file}', MASTER_LOG_POS = ${from.pos}, MASTER_USE_GTID = no`);
        cpu.begin('streaming ceiling (replica)');
        const s0 = performance.now();
        await replica.query('START SLAVE');
        const replicaDone = await waitUntil('the replica to drain the backlog', async () => {
          const st = (await replica.query('SHOW SLAVE STATUS'))[0];
          if (st && (st.Last_SQL_Error || st.Last_IO_Error)) throw Object.assign(new Error(`bench mysql: the replica failed: ${String(st.Last_SQL_Error || st.Last_IO_Error)}`), { fatal: true });
          return (await replica.num('SELECT count(*) FROM stream_t WHERE id = -2')) === 1;
        }, 900_000);
        endCpu();
        await replica.query('STOP SLAVE');
        const [ra, rb] = [await sourcePrint(), String((await replica.query(fingerprint))[0].f)];
        if (ra !== rb) throw new Error(`bench mysql: the replica holds different rows (count:sum ${rb} vs ${ra})`);
        replicaRun = { txPerSec: (TX_COUNT + 1) / ((replicaDone - s0) / 1000), seconds: (replicaDone - s0) / 1000 };
        say(`streaming ceiling (replica): drained at ${fmt(replicaRun.txPerSec)} tx/s (${secs(replicaDone - s0)})`);

        // The same segment replayed by MariaDB's own tools into the ceiling database, with the pipeline idle.
        const files = (await root.query('SHOW BINARY LOGS')).map((r) => String(r.Log_name));
        const segment = files.slice(files.indexOf(from.file), files.indexOf(to.file) + 1).map((f) => path.join(server.baseDir, f));
        say(`streaming ceiling (mariadb-binlog | mariadb): replaying ${fmt(TX_COUNT + 1)} transactions …`);
        cpu.begin('streaming ceiling (binlog replay)');
        const r0 = performance.now();
        await exec('bash', ['-o', 'pipefail', '-c', `mariadb-binlog --no-defaults --rewrite-db='src->ceil' --start-position=${from.pos} --stop-position=${to.pos} ${segment.join(' ')} | ${client('ceil')}`], { maxBuffer: 1 << 20 });
        const replayMs = performance.now() - r0;
        endCpu();
        const [a, b] = [await sourcePrint(), String((await ceil.query(fingerprint))[0].f)];
        if (a !== b) throw new Error(`bench mysql: the binlog replay holds different rows (count:sum ${b} vs ${a})`);
        replay = { txPerSec: (TX_COUNT + 1) / (replayMs / 1000), seconds: replayMs / 1000 };
        say(`streaming ceiling (mariadb-binlog | mariadb): ${fmt(replay.txPerSec)} tx/s (${secs(replayMs)})`);
      }
      return { writerTxPerSec: writerRate, liveTxPerSec: (TX_COUNT + 1) / liveSeconds, liveSeconds, backlogWriterTxPerSec: backlogWriter, backlogDrainTxPerSec: (TX_COUNT + 1) / drainSeconds, backlogDrainSeconds: drainSeconds };
    }

    // ---- MySQL → PostgreSQL, then MySQL → MySQL, each alone ----------------
    const runs: Record<Pipeline['who'], { snap: Awaited<ReturnType<typeof snapshotRun>>; stream: MysqlStreamRun }> = {} as never;
    for (const who of ['postgres', 'mysql'] as const) {
      // Each pipeline starts from the same state: the bulk table, and stream_t empty.
      await src.query('TRUNCATE stream_t');
      const pl = pipeline(who);
      const snap = await snapshotRun(pl);
      const stream = await streamingRun(pl);
      await Promise.all([pl.capture.stop(), pl.sink.stop()]);
      runs[who] = { snap, stream };
    }
    cpu.stop();

    const rp = replay as { txPerSec: number; seconds: number } | null;
    const rr = replicaRun as { txPerSec: number; seconds: number } | null;
    if (!rp || !rr) throw new Error('bench mysql: no streaming ceiling');
    const snapResult = (s: { rowsPerSec: number; seconds: number; rowsPerSecFromSnapshotStart: number }) => ({ rowsPerSec: Math.round(s.rowsPerSec), seconds: round2(s.seconds), rowsPerSecFromSnapshotStart: Math.round(s.rowsPerSecFromSnapshotStart), ratio: round2(s.rowsPerSec / dumpRate) });
    const streamResult = (s: MysqlStreamRun) => ({
      ...(Object.fromEntries(Object.entries(s).map(([k, v]) => [k, Math.abs(v) >= 100 ? Math.round(v) : round2(v)])) as unknown as MysqlStreamRun),
      liveRatioToWriters: round2(s.liveTxPerSec / s.writerTxPerSec),
      backlogRatioToReplica: round2(s.backlogDrainTxPerSec / rr.txPerSec),
      backlogRatioToReplay: round2(s.backlogDrainTxPerSec / rp.txPerSec),
    });
    const loadAfter = os.loadavg().map(round2);
    const results: MysqlBenchResults = {
      parameters: { rows: ROWS, transactions: TX_COUNT, clients: CLIENTS, keyRange: KEY_RANGE, mariadb: version },
      snapshot: { ceilingRowsPerSec: Math.round(dumpRate), ceilingSeconds: round2(dumpMs / 1000), toPostgres: snapResult(runs.postgres.snap), toMysql: snapResult(runs.mysql.snap) },
      streaming: { replicaCeilingTxPerSec: Math.round(rr.txPerSec), replicaSeconds: round2(rr.seconds), binlogReplayTxPerSec: Math.round(rp.txPerSec), binlogReplaySeconds: round2(rp.seconds), toPostgres: streamResult(runs.postgres.stream), toMysql: streamResult(runs.mysql.stream) },
      cpuCoresByPhase: cpuByPhase,
      loadAverage: { before: loadBefore, after: loadAfter },
    };
    const pad = (s: string, k: number) => s.padEnd(k);
    const r = results;
    say('');
    for (const [name, s] of [['MySQL → PostgreSQL', r.snapshot.toPostgres], ['MySQL → MySQL', r.snapshot.toMysql]] as const) {
      say(`${pad(`snapshot ${name}`, 38)}nilus ${pad(`${fmt(s.rowsPerSec)} rows/s`, 18)}ceiling (dump | mariadb) ${pad(`${fmt(dumpRate)} rows/s`, 18)}ratio ${s.ratio.toFixed(2)}`);
    }
    for (const [name, s] of [['MySQL → PostgreSQL', r.streaming.toPostgres], ['MySQL → MySQL', r.streaming.toMysql]] as const) {
      say(`${pad(`streaming live ${name}`, 38)}nilus ${pad(`${fmt(s.liveTxPerSec)} tx/s`, 18)}writers ${pad(`${fmt(s.writerTxPerSec)} tx/s`, 35)}ratio ${s.liveRatioToWriters.toFixed(2)}`);
      say(`${pad(`streaming backlog ${name}`, 38)}nilus ${pad(`${fmt(s.backlogDrainTxPerSec)} tx/s`, 18)}ceiling (replica) ${pad(`${fmt(rr.txPerSec)} tx/s`, 25)}ratio ${s.backlogRatioToReplica.toFixed(2)}   (mariadb-binlog | mariadb ${fmt(rp.txPerSec)} tx/s, ratio ${s.backlogRatioToReplay.toFixed(2)})`);
    }
    say(`(snapshots count from starting the daemons; live streaming from the first commit to the last at the destination; the backlog from the capture's reconnect to the binlog until the last row is there; the replica from START SLAVE until the last row is there. Load average before ${loadBefore.join(' ')}, after ${loadAfter.join(' ')} on ${os.cpus().length} cores.)`);
    return results;
  } finally {
    cpu.stop();
    await Promise.allSettled(daemons.map((d) => d.stop()));
    await Promise.allSettled(conns.map((c) => c.end()));
    await Promise.allSettled(owned.map((s) => s.stop()));
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  const results = await mysqlBench();
  const out = path.join(import.meta.dirname, 'last-results-mysql.json');
  writeFileSync(out, JSON.stringify({ at: new Date().toISOString(), machine: { cores: os.cpus().length, node: process.version }, ...results }, null, 2) + '\n');
  process.stdout.write(`results written to ${path.relative(process.cwd(), out)}\n`);
}
