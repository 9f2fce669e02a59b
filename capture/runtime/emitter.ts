import { encode } from '../../shared/codec.js';
import { ENVELOPE_VERSION, type Change, type ChangeBatch, type SchemaEvent, type SourceRef } from '../../shared/envelope.js';
import { sameShape, type TableSchema } from '../../shared/logical-types.js';
import { tableSubject } from '../../shared/subjects.js';
import { NilusError } from '../../shared/errors.js';
import type { Publisher } from './publisher.js';

/**
 * What a capture connector hands its changes to. Calls must not overlap: the
 * connector awaits each one, which is how back-pressure reaches the source.
 */
export interface CaptureEmitter {
  /** Adds one change of a table. A schema event goes out first whenever the table's shape is new to this session. */
  change(table: TableSchema, change: Change): Promise<void>;
  /**
   * Marks the end of a source transaction. `checkpoint` runs once every change
   * before this point is durable in JetStream: only then may the source position advance.
   */
  commit(checkpoint?: () => void): Promise<void>;
  /** Publishes what is buffered now; `onDurable` as for commit. */
  flush(onDurable?: () => void): Promise<void>;
  /** True when nothing is buffered or in flight (safe to confirm a source keepalive position). */
  idle(): boolean;
}

export interface EmitterOptions {
  publisher: Publisher;
  source: SourceRef;
  /** Position of the stream's last message: stream changes at or before it are already published. */
  resumeAfter: string | undefined;
  maxBatchRows: number;
  /** Largest message body the server accepts (its max_payload, less room for headers). */
  maxMessageBytes: number;
  /** Longest a committed change waits in the buffer while earlier messages are in flight. */
  lingerMs: number;
}

/**
 * Packs consecutive changes of one table into one message. Only one batch is
 * open at a time, so a message with position P is only ever stored after every
 * change before P: the stream tail's position is a safe resume point.
 */
export function createEmitter(opts: EmitterOptions): CaptureEmitter {
  const { publisher, source } = opts;
  const published = new Map<string, TableSchema>();
  let batch: { table: TableSchema; changes: Change[] } | null = null;
  let lastPosition = opts.resumeAfter ?? '';
  let pendingCheckpoints: (() => void)[] = [];
  let linger: NodeJS.Timeout | null = null;
  let lingerError: unknown = null;
  // Publishes run one at a time: a checkpoint must never be queued before the batch it belongs to.
  let chain: Promise<void> = Promise.resolve();
  const serial = (fn: () => Promise<void>) => (chain = chain.then(fn));

  const sendBatch = async () => {
    if (linger) clearTimeout(linger);
    linger = null;
    const b = batch;
    batch = null;
    const checkpoints = pendingCheckpoints;
    pendingCheckpoints = [];
    if (!b || b.changes.length === 0) {
      for (const cb of checkpoints) publisher.afterAll(cb);
      return;
    }
    const parts = encodeWithin({ v: ENVELOPE_VERSION, source, schema: b.table.schema, table: b.table.table, schemaVersion: b.table.version, capturedAt: Date.now(), changes: b.changes }, opts.maxMessageBytes);
    for (const [i, part] of parts.entries()) {
      const last = i === parts.length - 1;
      lastPosition = part.lastPos;
      await publisher.send(
        { subject: tableSubject(source.name, b.table.schema, b.table.table), kind: 'change', body: part.bytes, msgId: `${source.name}:${part.firstPos}`, position: part.lastPos },
        last && checkpoints.length ? () => checkpoints.forEach((cb) => cb()) : undefined,
      );
    }
  };

  const publishSchema = async (table: TableSchema) => {
    const body: SchemaEvent = { v: ENVELOPE_VERSION, source, table, capturedAt: Date.now() };
    await publisher.send({
      subject: tableSubject(source.name, table.schema, table.table),
      kind: 'schema',
      body: encode(body),
      // A schema event may be re-sent at the same position by a new session, so its id names its stream slot.
      msgId: `${source.name}:schema:${table.schema}.${table.table}:${table.version}:${publisher.nextSeq()}`,
      position: lastPosition,
    });
    published.set(key(table), table);
  };

  const throwLingerError = () => {
    if (lingerError) throw lingerError;
  };

  return {
    async change(table, change) {
      throwLingerError();
      if (!change.snapshot && opts.resumeAfter !== undefined && change.pos <= opts.resumeAfter) return;
      const k = key(table);
      const known = published.get(k);
      if (batch && (key(batch.table) !== k || batch.table.version !== table.version)) await serial(sendBatch);
      // Same object: nothing changed (the common case, checked per row, so kept cheap).
      if (known !== table && (!known || known.version !== table.version || !sameShape(known, table))) await serial(() => publishSchema(table));
      batch ??= { table, changes: [] };
      batch.changes.push(change);
      if (batch.changes.length >= opts.maxBatchRows) await serial(sendBatch);
    },
    async commit(checkpoint) {
      throwLingerError();
      if (checkpoint) pendingCheckpoints.push(checkpoint);
      // Adaptive packing: with the pipe idle, send now for latency; under load,
      // let the batch grow until earlier messages are acked or the linger ends.
      if (publisher.inFlight() === 0) return serial(sendBatch);
      linger ??= setTimeout(() => {
        linger = null;
        serial(sendBatch).catch((e) => (lingerError = e));
      }, opts.lingerMs);
    },
    flush(onDurable) {
      throwLingerError();
      if (onDurable) pendingCheckpoints.push(onDurable);
      return serial(sendBatch);
    },
    idle: () => batch === null && pendingCheckpoints.length === 0 && publisher.inFlight() === 0,
  };
}

const key = (t: TableSchema) => `${t.schema}\u0000${t.table}`;

/** Encodes a batch, halving it until every part fits in a message; order is kept. */
function encodeWithin(batch: ChangeBatch, maxBytes: number): { bytes: Uint8Array; firstPos: string; lastPos: string }[] {
  const bytes = encode(batch);
  if (bytes.length <= maxBytes) return [{ bytes, firstPos: batch.changes[0].pos, lastPos: batch.changes[batch.changes.length - 1].pos }];
  if (batch.changes.length === 1) {
    throw new NilusError('SOURCE_NOT_CAPTURABLE', `a change of ${batch.schema}.${batch.table} at position ${batch.changes[0].pos} encodes to ${bytes.length} bytes, more than the NATS server's max_payload allows`, 'raise max_payload in the nats-server configuration (up to 64MB)');
  }
  const mid = Math.ceil(batch.changes.length / 2);
  return [...encodeWithin({ ...batch, changes: batch.changes.slice(0, mid) }, maxBytes), ...encodeWithin({ ...batch, changes: batch.changes.slice(mid) }, maxBytes)];
}
