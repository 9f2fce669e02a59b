import type { SinkFactory } from './runtime/connector.js';
import { mysqlSink } from './mysql/index.js';
import { postgresSink } from './postgres/index.js';

/** Every sink connector, by the scheme of its address (light descriptors: each one's code loads on create). */
export const sinkConnectors: SinkFactory[] = [postgresSink, mysqlSink];

export function sinkFor(scheme: string): SinkFactory | undefined {
  return sinkConnectors.find((c) => c.schemes.includes(scheme));
}

export { runSink } from './runtime/run-sink.js';
export type { SinkConnector, SinkFactory } from './runtime/connector.js';
