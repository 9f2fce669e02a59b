import { createHash } from 'node:crypto';
import type { TableSchema } from '../../shared/logical-types.js';

/**
 * A table's schema version is a hash of its shape, not a counter: the same
 * shape gets the same version after a restart, so message ids stay deterministic.
 */
export function schemaVersion(t: Omit<TableSchema, 'version'>): number {
  const digest = createHash('sha256').update(JSON.stringify([t.columns, t.primaryKey])).digest();
  return digest.readUInt32BE(0);
}
