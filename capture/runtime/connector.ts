import type { z } from 'zod';
import type { ChangeBatch, RowsBatch, SourceRef } from '../../shared/envelope.js';
import type { TableSchema } from '../../shared/logical-types.js';
import type { Logger } from '../../shared/log.js';
import type { CaptureEmitter } from './emitter.js';
import type { StateStore } from '../../shared/state-store.js';

/** What a capture session is handed by the runtime. */
export interface CaptureContext {
  emitter: CaptureEmitter;
  /** The stream's last message: `position` is where streaming resumes; `batch` is the last change or rows body (snapshot resume). */
  tail: { position?: string; batch?: ChangeBatch | RowsBatch };
  /** Small durable key/value state of this capture (JetStream KV). */
  state: StateStore;
  log: Logger;
  /** Aborted on shutdown: the session stops reading and returns. */
  signal: AbortSignal;
  /** Rejects when the publisher failed: the session must stop at once. */
  publishFailed: Promise<Error>;
}

/**
 * A capture connector: one per source kind, one folder each.
 *
 * The runtime calls `check()` once at start-up (and from `nilus validate`),
 * then `run()` in a loop: a session ends by abort (resolve), or by an error;
 * transient errors start a new session after a back-off, from the source's
 * last confirmed position. A connector confirms a source position only inside
 * a checkpoint callback given to `emitter.commit()` / `emitter.flush()`.
 */
export interface CaptureConnector {
  readonly source: SourceRef;
  /** Verifies the source can be captured; throws a NilusError saying what to fix. */
  check(): Promise<void>;
  run(ctx: CaptureContext): Promise<void>;
  /** Looks up source tables as the capture would describe them (`nilus validate` checks masks against them). */
  describer(): Promise<TableDescriber>;
  /** Source lag for `nilus status` and metrics, in bytes where the source measures it that way. */
  lag?(): Promise<{ bytes: number } | null>;
  close(): Promise<void>;
}

/** A connection to the source that describes its tables; `close` ends it. */
export interface TableDescriber {
  /** The table's shape, or null when the source has no such table. */
  describe(schema: string, table: string): Promise<TableSchema | null>;
  close(): Promise<void>;
}

export interface CaptureSection {
  name: string;
  address: string;
  options: Record<string, unknown>;
}

export interface CaptureFactory<S extends z.ZodTypeAny = z.ZodTypeAny> {
  kind: string;
  /** Address schemes this connector serves (postgres, postgresql…). */
  schemes: string[];
  /** Schema of `source.options`: validation, defaults and docs in one place. */
  options: S;
  /** Loads the connector's code (and its drivers) only now: a daemon loads just the connectors its config names. */
  create(section: CaptureSection, options: z.output<S>, log: Logger): Promise<CaptureConnector>;
}
