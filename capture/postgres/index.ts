import type { CaptureFactory } from '../runtime/connector.js';
import { pgCaptureOptions } from './pg-options.js';

export const postgresCapture: CaptureFactory<typeof pgCaptureOptions> = {
  kind: 'postgres',
  schemes: ['postgres', 'postgresql'],
  options: pgCaptureOptions,
  create: async (section, options, log) => (await import('./pg-capture.js')).createPgCapture(section.name, section.address, options, log),
};
