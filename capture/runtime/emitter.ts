import { encode } from '../../shared/codec.js';
import { ENVELOPE_VERSION, rowPosition, type Change, type ChangeBatch, type RowsBatch, type SchemaEvent, type SourceRef } from '../../shared/envelope.js';
import { sameShape, type TableSchema } from '../../shared/logical-types.js';
import { tableSubject } from '../../shared/subjects.js';
import { NilusError } from '../../shared/errors.js';
import type { Publisher } from './publisher.js';

/**
 * What a capture connector hands its changes to. Calls must not overlap: the
 * connector awaits each one, which is how back-pressure reaches the source.
 */
export interface CaptureEmitter {
  /**
   * Adds one change of a table. A schema event goes out first whenever the
   * table's shape is new to this session. Returns nothing when the change
   * only joined the open batch (the common case, kept free of promises).
   */
  change(table: TableSchema, change: Change): void | Promise<void>;
  /**
   * Publishes snapshot rows of a table as `rows` messages (after any open
   * change batch, and a schema event when the shape is new). The page's arrays
   * are sent as they are: they must not be changed afterwards.
   */
  rows(table: TableSchema, page: RowPage): Promise<void>;
  /**
   * Marks the end of a source transaction. `checkpoint` runs once every change
   * before this point is durable in JetStream: only then may the source position advance.
   */
  commit(checkpoint?: () => void): void | Promise<void>;
  /** Publishes what is buffered now; `onDurable` as for commit. */
  flush(onDurable?: () => void): Promise<void>;
  /** True when nothing is buffered or in flight (safe to confirm a source keepalive position). */
  idle(): boolean;
}

/** Snapshot rows of one table: values in the order of the table's columns, row i at `rowPosition(positionPrefix, firstOrdinal + i)`. */
export interface RowPage {
  positionPrefix: string;
  firstOrdinal: number;
  rows: unknown[][];
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
    const body: ChangeBatch = { v: ENVELOPE_VERSION, source, schema: b.table.schema, table: b.table.table, schemaVersion: b.table.version, capturedAt: Date.now(), changes: b.changes };
    const parts = encodeWithin(0, b.changes.length, (from, to) => encode(from === 0 && to === b.changes.length ? body : { ...body, changes: b.changes.slice(from, to) }), opts.maxMessageBytes, (i, size) => tooLarge(b.table, b.changes[i].pos, size));
    for (const [i, part] of parts.entries()) {
      const last = i === parts.length - 1;
      lastPosition = b.changes[part.to - 1].pos;
      await publisher.send(
        { subject: tableSubject(source.name, b.table.schema, b.table.table), kind: 'change', body: part.bytes, msgId: `${source.name}:${b.changes[part.from].pos}`, position: lastPosition },
        last && checkpoints.length ? () => checkpoints.forEach((cb) => cb()) : undefined,
      );
    }
  };

  /** Rows in messages of at most maxBatchRows rows (fewer when they would exceed the largest message). */
  const sendRows = async (table: TableSchema, page: RowPage) => {
    const pos = (i: number) => rowPosition(page.positionPrefix, page.firstOrdinal + i);
    const subject = tableSubject(source.name, table.schema, table.table);
    const columns = table.columns.map((c) => c.name);
    const capturedAt = Date.now();
    const body = (from: number, to: number): RowsBatch => ({
      v: ENVELOPE_VERSION, source, schema: table.schema, table: table.table, schemaVersion: table.version, capturedAt, columns,
      rows: from === 0 && to === page.rows.length ? page.rows : page.rows.slice(from, to), positionPrefix: page.positionPrefix, firstOrdinal: page.firstOrdinal + from,
    });
    for (let start = 0; start < page.rows.length; start += opts.maxBatchRows) {
      const end = Math.min(page.rows.length, start + opts.maxBatchRows);
      for (const part of encodeWithin(start, end, (from, to) => encode(body(from, to)), opts.maxMessageBytes, (i, size) => tooLarge(table, pos(i), size))) {
        lastPosition = pos(part.to - 1);
        await publisher.send({ subject, kind: 'rows', body: part.bytes, msgId: `${source.name}:${pos(part.from)}`, position: lastPosition });
      }
    }
  };

  /** A schema event goes out first whenever the table's shape is new to this session. */
  const announce = async (table: TableSchema) => {
    const known = published.get(key(table));
    // Same object: nothing changed (the common case, checked per row, so kept cheap).
    if (known !== table && (!known || known.version !== table.version || !sameShape(known, table))) await serial(() => publishSchema(table));
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

  const addChange = async (table: TableSchema, change: Change) => {
    if (batch && batch.table !== table && (key(batch.table) !== key(table) || batch.table.version !== table.version)) await serial(sendBatch);
    await announce(table);
    batch ??= { table, changes: [] };
    batch.changes.push(change);
    if (batch.changes.length >= opts.maxBatchRows) await serial(sendBatch);
  };

  const throwLingerError = () => {
    if (lingerError) throw lingerError;
  };

  return {
    change(table, change) {
      throwLingerError();
      if (!change.snapshot && opts.resumeAfter !== undefined && change.pos <= opts.resumeAfter) return;
      // Same table object as the open batch, and room left: announced already, nothing to send.
      if (batch !== null && batch.table === table && batch.changes.length + 1 < opts.maxBatchRows) {
        batch.changes.push(change);
        return;
      }
      return addChange(table, change);
    },
    async rows(table, page) {
      throwLingerError();
      if (page.rows.length === 0) return;
      if (batch) await serial(sendBatch);
      await announce(table);
      await serial(() => sendRows(table, page));
    },
    commit(checkpoint) {
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

/** Encodes items [from, to), halving ranges until every part fits in a message; order is kept. */
function encodeWithin(from: number, to: number, encodeRange: (from: number, to: number) => Uint8Array, maxBytes: number, tooLarge: (index: number, bytes: number) => Error): { bytes: Uint8Array; from: number; to: number }[] {
  const bytes = encodeRange(from, to);
  if (bytes.length <= maxBytes) return [{ bytes, from, to }];
  if (to - from === 1) throw tooLarge(from, bytes.length);
  const mid = from + Math.ceil((to - from) / 2);
  return [...encodeWithin(from, mid, encodeRange, maxBytes, tooLarge), ...encodeWithin(mid, to, encodeRange, maxBytes, tooLarge)];
}

function tooLarge(t: TableSchema, pos: string, bytes: number): Error {
  return new NilusError('SOURCE_NOT_CAPTURABLE', `a row of ${t.schema}.${t.table} at position ${pos} encodes to ${bytes} bytes, more than the NATS server's max_payload allows`, 'raise max_payload in the nats-server configuration (up to 64MB)');
}
