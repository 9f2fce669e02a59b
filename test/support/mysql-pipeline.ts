import { after } from 'node:test';
import { startMariaDb, startNats, startPostgres, type MariaDbOptions, type MariaDbServer, type NatsServer, type PgServer } from '../harness/index.js';
import { Daemon, waitNoDifference, writeConfig } from './daemons.js';
import { mysqlPgDifference, mysqlSql } from './mysql-compare.js';

export interface MysqlPipeline {
  maria: MariaDbServer;
  pg: PgServer;
  nats: NatsServer;
  /** root's URL of the source database `src` (utf8mb4). */
  sourceUrl: string;
  /** The address the capture uses (root, or a capture user). */
  captureUrl: string;
  destUrl: string;
  capture: Daemon;
  sink: Daemon;
  configFile: string;
}

/**
 * MariaDB (database `src`, utf8mb4), NATS and a PostgreSQL destination, and a
 * config with a MySQL capture and a Postgres sink. With `captureUser`, the
 * capture logs in as a user holding only REPLICATION SLAVE, REPLICATION CLIENT
 * (BINLOG MONITOR) and SELECT — no RELOAD, so the snapshot runs without FTWRL.
 */
export async function startMysqlPipeline(opts: { sourceOptions?: Record<string, unknown>; sinkOptions?: Record<string, unknown>; name?: string; captureUser?: boolean; maria?: MariaDbOptions } = {}): Promise<MysqlPipeline> {
  const [maria, pg, nats] = await Promise.all([startMariaDb(opts.maria), startPostgres(), startNats()]);
  const root = maria.url('');
  await mysqlSql(root, 'CREATE DATABASE src CHARACTER SET utf8mb4 COLLATE utf8mb4_bin');
  const sourceUrl = maria.url('src');
  let captureUrl = sourceUrl;
  if (opts.captureUser) {
    await mysqlSql(root, "CREATE USER 'nilus'@'%' IDENTIFIED BY 'p@ss:w/rd'", "GRANT REPLICATION SLAVE, BINLOG MONITOR ON *.* TO 'nilus'@'%'", "GRANT SELECT ON src.* TO 'nilus'@'%'");
    captureUrl = `mysql://nilus:${encodeURIComponent('p@ss:w/rd')}@${maria.host}:${maria.port}/src`;
  }
  const destUrl = await pg.createDatabase('dst');
  const name = opts.name ?? 'shop';
  const configFile = writeConfig({
    nats: { url: nats.url },
    source: { name, address: captureUrl, options: { ...opts.sourceOptions } },
    sink: { name: 'replica', from: name, address: destUrl, options: { ...opts.sinkOptions } },
  });
  const p: MysqlPipeline = { maria, pg, nats, sourceUrl, captureUrl, destUrl, configFile, capture: new Daemon('capture', configFile), sink: new Daemon('sink', configFile) };
  after(async () => {
    await Promise.allSettled([p.capture.stop(), p.sink.stop()]);
    await Promise.allSettled([maria.stop(), pg.stop(), nats.stop()]);
  });
  return p;
}

/** Waits until the destination's copy of src.`table` equals the source row by row; the error shows the last difference. */
export function waitSameAsSource(p: MysqlPipeline, table: string, what: string, timeoutMs = 90_000, daemons = [p.capture, p.sink]): Promise<void> {
  return waitNoDifference(what, () => mysqlPgDifference(p.sourceUrl, 'src', table, p.destUrl), timeoutMs, daemons);
}
