import type { SinkFactory } from '../runtime/connector.js';
import { pgSinkOptions } from './pg-sink-options.js';

export const postgresSink: SinkFactory<typeof pgSinkOptions> = {
  kind: 'postgres',
  schemes: ['postgres', 'postgresql'],
  options: pgSinkOptions,
  create: async (section, options, log) => (await import('./pg-sink.js')).createPgSink(section.name, section.address, options, log),
};
