import type { SinkFactory } from '../runtime/connector.js';
import { mysqlSinkOptions } from './mysql-sink-options.js';

export const mysqlSink: SinkFactory<typeof mysqlSinkOptions> = {
  kind: 'mysql',
  schemes: ['mysql', 'mariadb'],
  options: mysqlSinkOptions,
  create: async (section, options, log) => (await import('./mysql-sink.js')).createMySqlSink(section.name, section.address, options, log),
};
