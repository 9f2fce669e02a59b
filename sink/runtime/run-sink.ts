import { setTimeout as sleep } from 'node:timers/promises';
import { headers as natsHeaders } from '@nats-io/transport-node';
import { AckPolicy, DeliverPolicy, type Consumer, type JsMsg } from '@nats-io/jetstream';
import { decode, encode } from '../../shared/codec.js';
import { checkRowsColumns, ENVELOPE_VERSION, Headers, rowChanges, type Change, type ChangeBatch, type RowsBatch, type SchemaEvent, type SourceRef } from '../../shared/envelope.js';
import { isNilusError, isTransient } from '../../shared/errors.js';
import { ensureStream, isNotFound, type Bus } from '../../shared/jetstream.js';
import { errorSummary, retryForever, SESSION_SETUP_DEADLINE_MS, withDeadline } from '../../shared/lifecycle.js';
import type { Logger } from '../../shared/log.js';
import type { TableSchema } from '../../shared/logical-types.js';
import type { Masker } from '../../shared/masking/index.js';
import { DEAD_LETTER_SUBJECTS, deadLetterStreamName, deadLetterSubject, sourceSubjects, streamName } from '../../shared/subjects.js';
import { compact } from './compact.js';
import type { ApplyStep, SinkConnector } from './connector.js';

export interface SinkRuntimeOptions {
  /** Durable consumer name (the sink's name). */
  name: string;
  /** Source whose stream is read. */
  from: string;
  maxBatchMessages: number;
  /** Message bytes per destination transaction, at most (a batch stops growing past it). */
  maxBatchBytes: number;
  /** Tries of a row the destination rejects before it goes to the dead-letter subject. */
  maxRetries: number;
  ackWaitMs: number;
  masker: Masker;
  /** Tables to apply ("schema.table" regexes); empty means all. */
  include: RegExp[];
}

export interface SinkProgress {
  applied(messages: number, rows: number, lastSeq: number): void;
  deadLettered(rows: number): void;
}

/** How long a session may apply nothing while messages wait before it is restarted. */
const STALL_MS = 15_000;
/** Bytes a pull may ask the server for at most (it cuts a client off past 64 MB buffered). */
const PULL_BUDGET_BYTES = 32 * 1024 * 1024;

interface Decoded {
  seq: number;
  msg: JsMsg;
  body: { kind: 'change'; batch: ChangeBatch } | { kind: 'rows'; batch: RowsBatch } | { kind: 'schema'; event: SchemaEvent } | { kind: 'other' };
}

/**
 * Runs a sink until `signal` aborts. Each session re-positions the durable
 * consumer just after what the destination already holds, so a batch that was
 * delivered but not acked is seen again, in order, before anything newer.
 * Then: take what has arrived (up to a batch), mask, fold, apply in one
 * destination transaction, ack (the ack floor is the checkpoint).
 */
export async function runSink(connector: SinkConnector, bus: Bus, opts: SinkRuntimeOptions, log: Logger, signal: AbortSignal, progress?: SinkProgress): Promise<void> {
  const stream = streamName(opts.from);
  const schemas = new Map<string, { source: SourceRef; table: TableSchema }>();
  const tableKey = (schema: string, table: string) => `${schema}.${table}`;
  let dlqReady: Promise<void> | null = null;
  const wanted = (schema: string, table: string) => opts.include.length === 0 || opts.include.some((re) => re.test(tableKey(schema, table)));

  await retryForever(log, signal, 'sink session', async () => {
    // The destination first: wrong credentials are reported at once, not after the capture starts.
    const state = await connector.open();
    await waitForStream(bus, stream, opts.from, log, signal);
    if (signal.aborted) return;
    for (const s of state.schemas) {
      schemas.set(tableKey(s.table.schema, s.table.table), s);
      opts.masker.restore(s.table);
    }
    // Each request has its own timeout; the deadline is for one that never settles (see withDeadline).
    const { consumer, delivered } = await withDeadline(positionConsumer(bus, stream, opts, state.appliedSeq, log), SESSION_SETUP_DEADLINE_MS, `positioning consumer ${opts.name} on ${stream}`);
    // Few enough messages in flight that even at max_payload each they stay well inside the 64 MB
    // a server buffers for one client: a pull of 400 snapshot batches got the sink cut off as a
    // slow consumer. (Pulling by bytes would fit better, but nats.js never releases the byte credit
    // of a pull that ended on its message count, and then stalls.)
    const maxPayload = bus.nc.info?.max_payload ?? 1024 * 1024;
    const inFlight = Math.max(1, Math.min(opts.maxBatchMessages * 2, Math.floor(PULL_BUDGET_BYTES / maxPayload)));
    const queueBytes = Math.max(2 * opts.maxBatchBytes, 2 * maxPayload);
    const messages = await consumer.consume({ max_messages: inFlight });
    const stop = () => void messages.close();
    signal.addEventListener('abort', stop, { once: true });
    let appliedSeq = state.appliedSeq;
    // A pull subscription can go quiet after a server restart without ending: if messages
    // wait and nothing was applied for a while, end the session; the next one repositions.
    let stalled = false;
    let idle = false; // the applier waits for messages (a slow destination is not a stall)
    let seenSeq = appliedSeq;
    const watchdog = setInterval(async () => {
      const pending = await consumer.info().then((i) => i.num_pending, () => 0);
      if (pending > 0 && idle && appliedSeq === seenSeq) {
        stalled = true;
        log.warn({ pending, appliedSeq }, `no progress for ${STALL_MS / 1000} s with messages waiting; restarting the sink session`);
        stop();
      }
      seenSeq = appliedSeq;
    }, STALL_MS);
    try {
      const queue: JsMsg[] = [];
      let queuedBytes = 0;
      const wake = { fn: null as (() => void) | null };
      const more = () => wake.fn?.();
      const waitMore = () => new Promise<void>((r) => (wake.fn = r));
      let ended = false;
      let pumpError: unknown = null;
      // The pump stops taking messages while a full batch waits: bounded memory.
      let lastDelivery = delivered;
      const pump = (async () => {
        for await (const m of messages) {
          // A skipped delivery is a message lost on the way (the server dropped it): acking past it
          // would lose it for good, so the session ends and the next one starts after what was applied.
          if (m.info.deliverySequence !== lastDelivery + 1) throw Object.assign(new Error(`delivery ${lastDelivery + 1} never arrived`), { code: 'CONNECTION_CLOSED' });
          lastDelivery = m.info.deliverySequence;
          if (m.seq <= appliedSeq || (queue.length && m.seq <= queue[queue.length - 1].seq)) continue; // redelivered: already applied or queued
          queue.push(m);
          queuedBytes += m.data.length;
          more();
          while ((queue.length >= opts.maxBatchMessages * 2 || queuedBytes >= queueBytes) && !signal.aborted) await waitMore();
        }
      })()
        .catch((e) => (pumpError = e))
        .finally(() => {
          ended = true;
          more();
        });

      // Batch N+1 is taken, decoded and folded while batch N is in the destination.
      let applying: Promise<number> | null = null;
      const finish = async () => {
        if (!applying) return;
        const seq = await applying;
        applying = null;
        appliedSeq = seq;
      };
      while (!signal.aborted) {
        if (queue.length === 0) {
          await finish();
          if (ended) break;
          if (queue.length === 0) {
            idle = true;
            await waitMore();
            idle = false;
          }
          continue;
        }
        const taken = take(queue);
        for (const m of taken) queuedBytes -= m.data.length;
        more();
        // Message by message, yielding in between: the batch in the destination needs this thread
        // too (its statements and COPY text are built between its round trips), and would otherwise
        // wait until the whole next batch is decoded and masked.
        const decoded: Decoded[] = [];
        for (const m of taken) {
          const d = [decodeMessage(m)];
          await maskAll(d);
          decoded.push(d[0]);
          if (applying) await new Promise<void>((r) => setImmediate(r));
        }
        const prepared = prepare(decoded);
        await finish();
        const last = taken[taken.length - 1];
        applying = applyPrepared(prepared).then(async () => {
          await last.ackAck();
          return last.seq;
        });
        applying.catch(() => {}); // awaited by finish(); this only keeps it from counting as unhandled meanwhile
      }
      await finish();
      await pump;
      if (pumpError && !signal.aborted) throw pumpError;
      if (!signal.aborted) throw Object.assign(new Error(stalled ? 'the consumer stalled' : 'the consumer stopped delivering'), { code: 'CONNECTION_CLOSED' });
    } finally {
      clearInterval(watchdog);
      signal.removeEventListener('abort', stop);
      await messages.close().catch(() => {});
    }
  }, (e) => (isNilusError(e) ? isTransient(e) : !connector.isPermanent(e)));

  /** Up to `maxBatchMessages` messages, stopping early once about `maxBatchRows` rows are taken (bounds memory and transaction size). */
  function take(queue: JsMsg[]): JsMsg[] {
    let bytes = 0;
    let n = 0;
    while (n < queue.length && n < opts.maxBatchMessages && bytes < opts.maxBatchBytes) bytes += queue[n++].data.length;
    return queue.splice(0, n);
  }

  function decodeMessage(msg: JsMsg): Decoded {
    const kind = msg.headers?.get(Headers.kind);
    if (kind === 'change') return { seq: msg.seq, msg, body: { kind: 'change', batch: decode<ChangeBatch>(msg.data) } };
    if (kind === 'rows') return { seq: msg.seq, msg, body: { kind: 'rows', batch: decode<RowsBatch>(msg.data) } };
    if (kind === 'schema') return { seq: msg.seq, msg, body: { kind: 'schema', event: decode<SchemaEvent>(msg.data) } };
    return { seq: msg.seq, msg, body: { kind: 'other' } };
  }

  /**
   * Masks key, before and after of every change, in stream order (each against
   * the schema in force at its position), before folding, so a masked key still
   * finds its row. Once per message: a message may be planned again when bad
   * rows are isolated. Async only when `sequential` numbers must be fetched.
   */
  async function maskAll(items: Decoded[]): Promise<void> {
    if (!opts.masker.active) return;
    await opts.masker.mask(
      items.map((d) =>
        d.body.kind === 'schema' ? (wanted(d.body.event.table.schema, d.body.event.table.table) ? { kind: 'schema', table: d.body.event.table } : { kind: 'other' })
        : (d.body.kind === 'change' || d.body.kind === 'rows') && wanted(d.body.batch.schema, d.body.batch.table) ? d.body
        : { kind: 'other' },
      ),
    );
  }

  /**
   * Steps for messages, in stream order; consecutive changes of one table fold
   * together, and consecutive snapshot rows of one table make one load step.
   */
  function plan(items: Decoded[]): { steps: ApplyStep[]; rows: number } {
    const steps: ApplyStep[] = [];
    let rows = 0;
    let run: { key: string; batch: ChangeBatch; changes: ChangeBatch['changes'] } | null = null;
    const schemaOf = (key: string) => {
      const known = schemas.get(key);
      if (!known) throw Object.assign(new Error(`no schema known for ${key}: the stream was trimmed before its schema event`), { permanent: true });
      return known;
    };
    const endRun = () => {
      if (!run) return;
      steps.push(...compact(run.batch.source, schemaOf(run.key).table, run.changes));
      run = null;
    };
    for (const d of items) {
      if (d.body.kind === 'schema') {
        const { table, source } = d.body.event;
        if (!wanted(table.schema, table.table)) continue;
        endRun();
        const masked = maskSchema(table);
        schemas.set(tableKey(table.schema, table.table), { source, table: masked });
        steps.push({ kind: 'schema', source, table: masked });
      } else if (d.body.kind === 'change') {
        const b = d.body.batch;
        if (!wanted(b.schema, b.table)) continue;
        const key = tableKey(b.schema, b.table);
        if (run && run.key !== key) endRun();
        run ??= { key, batch: b, changes: [] };
        for (const ch of b.changes) run.changes.push(ch);
        rows += b.changes.length;
      } else if (d.body.kind === 'rows') {
        const b = d.body.batch;
        if (!wanted(b.schema, b.table)) continue;
        endRun();
        const known = schemaOf(tableKey(b.schema, b.table));
        checkRowsColumns(b, known.table);
        const prev = steps.at(-1);
        if (prev?.kind === 'load' && prev.table === known.table) prev.pages.push(b);
        else steps.push({ kind: 'load', source: b.source, table: known.table, pages: [b] });
        rows += b.rows.length;
      }
    }
    endRun();
    return { steps, rows };
  }

  /** The destination shape: masked columns take their mask's output type (annotated with `mask`). */
  function maskSchema(t: TableSchema): TableSchema {
    return opts.masker.schema(t);
  }

  interface Prepared {
    items: Decoded[];
    steps: ApplyStep[];
    rows: number;
  }

  function prepare(items: Decoded[]): Prepared {
    return { items, ...plan(items) };
  }

  async function applyPrepared({ items, steps, rows }: Prepared): Promise<void> {
    const lastSeq = items[items.length - 1].seq;
    try {
      await connector.apply(steps, lastSeq);
      progress?.applied(items.length, rows, lastSeq);
    } catch (e) {
      if (!connector.isPermanent(e)) throw e;
      log.warn({ err: errorSummary(e), messages: items.length }, 'the destination rejected a batch; applying it message by message to isolate the bad rows');
      await isolate(items);
    }
  }

  /** Message by message, then change by change: only rows the destination keeps rejecting are parked. */
  async function isolate(items: Decoded[]): Promise<void> {
    for (const item of items) {
      const { steps, rows } = plan([item]);
      try {
        await connector.apply(steps, item.seq);
        progress?.applied(1, rows, item.seq);
        continue;
      } catch (e) {
        if (!connector.isPermanent(e)) throw e;
      }
      if (item.body.kind !== 'change' && item.body.kind !== 'rows') throw new Error(`the destination rejects the schema of message ${item.seq}`);
      const batch = item.body.batch;
      const known = schemas.get(tableKey(batch.schema, batch.table))!;
      const changes = 'changes' in batch ? batch.changes : rowChanges(batch, known.table.primaryKey);
      let parked = 0;
      for (const ch of changes) {
        let lastError: unknown = null;
        for (let attempt = 0; attempt < opts.maxRetries; attempt++) {
          try {
            await connector.apply(compact(batch.source, known.table, [ch]), null);
            lastError = null;
            break;
          } catch (e) {
            if (!connector.isPermanent(e)) throw e;
            lastError = e;
          }
        }
        if (lastError) {
          await deadLetter(batch, ch, lastError);
          parked++;
        }
      }
      await connector.apply([], item.seq);
      progress?.deadLettered(parked);
    }
  }

  /** Parks one change as a one-change `change` message (snapshot rows too), with the error in a header. */
  async function deadLetter(batch: ChangeBatch | RowsBatch, change: Change, error: unknown): Promise<void> {
    dlqReady ??= ensureStream(bus, deadLetterStreamName(), [DEAD_LETTER_SUBJECTS], { 'max-age': 30 * 86_400_000, 'max-bytes': -1, replicas: 1, 'duplicate-window': 120_000 });
    await dlqReady;
    const h = natsHeaders();
    h.set(Headers.kind, 'change');
    h.set('Nilus-Error', errorSummary(error).slice(0, 4000));
    h.set('Nilus-Sink', opts.name);
    const parked: ChangeBatch = { v: ENVELOPE_VERSION, source: batch.source, schema: batch.schema, table: batch.table, schemaVersion: batch.schemaVersion, capturedAt: batch.capturedAt, changes: [change] };
    await bus.js.publish(deadLetterSubject(opts.name, batch.schema, batch.table), encode(parked), { headers: h, msgID: `${opts.name}:${change.pos}` });
    log.error({ table: `${batch.schema}.${batch.table}`, position: change.pos, err: errorSummary(error), subject: deadLetterSubject(opts.name, batch.schema, batch.table) }, 'row rejected by the destination; parked on the dead-letter subject');
  }
}

/**
 * The capture creates its stream: a sink started first (both daemons at once,
 * or the sink before its source) waits for it, polling, rather than failing
 * sessions with a back-off that would grow while the capture starts.
 */
async function waitForStream(bus: Bus, stream: string, from: string, log: Logger, signal: AbortSignal): Promise<void> {
  for (let told = false; !signal.aborted; told = true) {
    try {
      await bus.jsm.streams.info(stream);
      return;
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
    if (!told) log.info({ stream }, `waiting for stream ${stream}: the capture of source ${from} creates it`);
    await sleep(100, undefined, { signal }).catch(() => {});
  }
}

/**
 * The durable consumer starts just after `appliedSeq`: the destination, not the
 * ack floor, says what is applied. Re-creating it drops deliveries that were
 * never acked, which would otherwise come back only after ack-wait, behind
 * newer messages. Also returns the last delivery sequence, so the session can
 * tell when a delivery went missing.
 */
async function positionConsumer(bus: Bus, stream: string, opts: SinkRuntimeOptions, appliedSeq: number, log: Logger): Promise<{ consumer: Consumer; delivered: number }> {
  try {
    const info = await bus.jsm.consumers.info(stream, opts.name);
    const clean = info.num_ack_pending === 0 && info.delivered.stream_seq === info.ack_floor.stream_seq && info.ack_floor.stream_seq === appliedSeq;
    if (clean && info.config.filter_subject === sourceSubjects(opts.from)) return { consumer: await bus.js.consumers.get(stream, opts.name), delivered: info.delivered.consumer_seq };
    await bus.jsm.consumers.delete(stream, opts.name);
  } catch (e) {
    if (!isNotFound(e)) throw e;
  }
  log.info({ stream, consumer: opts.name, startAfter: appliedSeq }, 'positioning durable consumer');
  await bus.jsm.consumers.add(stream, {
    durable_name: opts.name,
    filter_subject: sourceSubjects(opts.from),
    ack_policy: AckPolicy.All,
    ...(appliedSeq > 0 ? { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: appliedSeq + 1 } : { deliver_policy: DeliverPolicy.All }),
    ack_wait: opts.ackWaitMs * 1_000_000,
    max_ack_pending: Math.max(1000, opts.maxBatchMessages * 4),
    max_deliver: -1,
  });
  return { consumer: await bus.js.consumers.get(stream, opts.name), delivered: 0 };
}
