import type { CaptureFactory } from './runtime/connector.js';
import { postgresCapture } from './postgres/index.js';
import { mysqlCapture } from './mysql/index.js';

/** Every capture connector, by the scheme of its address (light descriptors: each one's code loads on create). */
export const captureConnectors: CaptureFactory[] = [postgresCapture, mysqlCapture];

export function captureFor(scheme: string): CaptureFactory | undefined {
  return captureConnectors.find((c) => c.schemes.includes(scheme));
}

export { runCapture } from './runtime/run-capture.js';
export type { CaptureConnector, CaptureFactory } from './runtime/connector.js';
