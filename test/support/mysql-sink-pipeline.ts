import { after } from 'node:test';
import { randomBytes } from 'node:crypto';
import { startNats, startPostgres, type MariaDbServer, type NatsServer, type PgServer } from '../harness/index.js';
import { Daemon, writeConfig } from './daemons.js';

export interface MySqlPipeline {
  pg: PgServer;
  nats: NatsServer;
  maria: MariaDbServer;
  sourceUrl: string;
  /** mysql:// address of the destination database. */
  destUrl: string;
  destDb: string;
  capture: Daemon;
  sink: Daemon;
  configFile: string;
}

/**
 * A PostgreSQL source and NATS of its own, a fresh database on a (shared)
 * MariaDB server as destination, and one config for the capture and the sink.
 */
export async function startMySqlPipeline(
  maria: MariaDbServer,
  opts: { sourceOptions?: Record<string, unknown>; sinkOptions?: Record<string, unknown>; name?: string; /** Address without a database: tables land in one database per source schema. */ noDatabase?: boolean } = {},
): Promise<MySqlPipeline> {
  const [pg, nats] = await Promise.all([startPostgres(), startNats()]);
  const sourceUrl = await pg.createDatabase('src');
  const destDb = opts.noDatabase ? '' : `dst_${randomBytes(4).toString('hex')}`;
  const destUrl = opts.noDatabase ? maria.url() : await maria.createDatabase(destDb);
  const name = opts.name ?? 'shop';
  const configFile = writeConfig({
    nats: { url: nats.url },
    source: { name, address: sourceUrl, options: { 'heartbeat.interval.ms': 500, ...opts.sourceOptions } },
    sink: { name: 'mirror', from: name, address: destUrl, options: { ...opts.sinkOptions } },
  });
  const p: MySqlPipeline = { pg, nats, maria, sourceUrl, destUrl, destDb, configFile, capture: new Daemon('capture', configFile), sink: new Daemon('sink', configFile) };
  after(async () => {
    await Promise.allSettled([p.capture.stop(), p.sink.stop()]);
    await Promise.allSettled([pg.stop(), nats.stop()]);
  });
  return p;
}
