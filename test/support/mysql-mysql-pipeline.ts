import { after } from 'node:test';
import { startMariaDb, startNats, type MariaDbServer, type NatsServer } from '../harness/index.js';
import { Daemon, writeConfig } from './daemons.js';
import { mysqlSql } from './mysql-compare.js';

export interface MysqlToMysqlPipeline {
  maria: MariaDbServer;
  nats: NatsServer;
  /** root's URL of the source database `src` (utf8mb4). */
  sourceUrl: string;
  /** root's URL of the destination database `dst`, on the same server. */
  destUrl: string;
  capture: Daemon;
  sink: Daemon;
  configFile: string;
}

/**
 * One MariaDB server (ROW binlog) holding both the source database `src` and
 * the destination database `dst`, NATS, and a config with a MySQL capture of
 * `src` and a MySQL sink into `dst`. The sink's own writes go to the binlog
 * too, but the capture only reads the tables of its address's database.
 */
export async function startMysqlToMysqlPipeline(opts: { sourceOptions?: Record<string, unknown>; sinkOptions?: Record<string, unknown> } = {}): Promise<MysqlToMysqlPipeline> {
  const [maria, nats] = await Promise.all([startMariaDb(), startNats()]);
  const root = maria.url('');
  await mysqlSql(root, 'CREATE DATABASE src CHARACTER SET utf8mb4 COLLATE utf8mb4_bin', 'CREATE DATABASE dst CHARACTER SET utf8mb4 COLLATE utf8mb4_bin');
  const sourceUrl = maria.url('src');
  const destUrl = maria.url('dst');
  const configFile = writeConfig({
    nats: { url: nats.url },
    source: { name: 'shop', address: sourceUrl, options: { ...opts.sourceOptions } },
    sink: { name: 'mirror', from: 'shop', address: destUrl, options: { ...opts.sinkOptions } },
  });
  const p: MysqlToMysqlPipeline = { maria, nats, sourceUrl, destUrl, configFile, capture: new Daemon('capture', configFile), sink: new Daemon('sink', configFile) };
  after(async () => {
    await Promise.allSettled([p.capture.stop(), p.sink.stop()]);
    await Promise.allSettled([maria.stop(), nats.stop()]);
  });
  return p;
}
