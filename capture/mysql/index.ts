import type { CaptureFactory } from '../runtime/connector.js';
import { mysqlCaptureOptions } from './mysql-options.js';

export const mysqlCapture: CaptureFactory<typeof mysqlCaptureOptions> = {
  kind: 'mysql',
  schemes: ['mysql', 'mariadb'],
  options: mysqlCaptureOptions,
  create: async (section, options, log) => (await import('./mysql-capture.js')).createMysqlCapture(section.name, section.address, options, log),
};
