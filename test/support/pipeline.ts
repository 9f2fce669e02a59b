import { after } from 'node:test';
import { startNats, startPostgres, type NatsServer, type PgServer } from '../harness/index.js';
import { Daemon, writeConfig } from './daemons.js';

export interface Pipeline {
  pg: PgServer;
  /** The destination's server: `pg` itself unless a separate one was asked for. */
  destPg: PgServer;
  nats: NatsServer;
  sourceUrl: string;
  destUrl: string;
  capture: Daemon;
  sink: Daemon;
  configFile: string;
}

/** A source and a destination database on one server, NATS, and a config for a capture and a sink between them. */
export async function startPipeline(opts: { sourceOptions?: Record<string, unknown>; sinkOptions?: Record<string, unknown>; name?: string; separateDestination?: boolean } = {}): Promise<Pipeline> {
  const [pg, nats, separate] = await Promise.all([startPostgres(), startNats(), opts.separateDestination ? startPostgres() : null]);
  const destPg = separate ?? pg;
  const sourceUrl = await pg.createDatabase('src');
  const destUrl = await destPg.createDatabase('dst');
  const name = opts.name ?? 'shop';
  const configFile = writeConfig({
    nats: { url: nats.url },
    source: { name, address: sourceUrl, options: { 'heartbeat.interval.ms': 500, ...opts.sourceOptions } },
    sink: { name: 'replica', from: name, address: destUrl, options: { ...opts.sinkOptions } },
  });
  const p: Pipeline = { pg, destPg, nats, sourceUrl, destUrl, configFile, capture: new Daemon('capture', configFile), sink: new Daemon('sink', configFile) };
  after(async () => {
    await Promise.allSettled([p.capture.stop(), p.sink.stop()]);
    await Promise.allSettled([pg.stop(), nats.stop(), separate?.stop()]);
  });
  return p;
}
