import { headers as natsHeaders } from '@nats-io/transport-node';
import { JetStreamApiCodes, JetStreamApiError } from '@nats-io/jetstream';
import type { Bus } from '../../shared/jetstream.js';
import { Headers, type MessageKind } from '../../shared/envelope.js';

export interface Outbound {
  subject: string;
  kind: MessageKind;
  body: Uint8Array;
  /** Deterministic from the source position, so a re-publish after a crash is dropped by the server. */
  msgId: string;
  /** Highest source position inside the message. */
  position: string;
}

/**
 * Publishes to one stream in order, many messages in flight, and reports
 * durability strictly in send order.
 *
 * Every message expects the stream's last sequence to be the one before it
 * (Nats-Expected-Last-Sequence), so the stream can never hold message N+1
 * without message N: if a publish is lost in a reconnect, every later one is
 * rejected too and the capture restarts from its last durable position. This
 * is what makes "skip what the stream already holds" safe on restart. The
 * capture must be the only writer of its stream.
 */
export interface Publisher {
  /** Sends a message; waits while `maxInFlight` are unacked (back-pressure). `onDurable` runs after its PubAck and all earlier ones. */
  send(msg: Outbound, onDurable?: () => void): Promise<void>;
  /** Runs `cb` once everything sent so far is durable (at once if nothing is in flight). */
  afterAll(cb: () => void): void;
  /** Resolves when everything sent is durable; rejects if the publisher failed. */
  flush(): Promise<void>;
  inFlight(): number;
  /** Stream sequence the next message will get (sends are serialized by the caller). */
  nextSeq(): number;
  /** The first error; once set, every send rejects with it. */
  failure(): Error | null;
  /** Resolves with the first error, so a running source can stop at once. */
  failed: Promise<Error>;
}

interface Pending {
  done: boolean;
  callbacks: (() => void)[];
}

export function createPublisher(bus: Bus, stream: string, lastSeq: number, maxInFlight: number): Publisher {
  const queue: Pending[] = [];
  let expected = lastSeq;
  let error: Error | null = null;
  let waiters: (() => void)[] = [];
  const notify = () => {
    const w = waiters;
    waiters = [];
    for (const r of w) r();
  };
  const wait = () => new Promise<void>((r) => waiters.push(r));
  let fail!: (e: Error) => void;
  const failed = new Promise<Error>((resolve) => (fail = resolve));

  const drainHead = () => {
    while (queue.length > 0 && queue[0].done) {
      const head = queue.shift()!;
      for (const cb of head.callbacks) cb();
    }
    notify();
  };

  const setError = (e: Error) => {
    if (error) return;
    error = e;
    fail(e);
    notify();
  };

  const waitForRoom = async () => {
    while (!error && queue.length >= maxInFlight) await wait();
  };

  return {
    async send(msg, onDurable) {
      await waitForRoom();
      if (error) throw error;
      const entry: Pending = { done: false, callbacks: onDurable ? [onDurable] : [] };
      queue.push(entry);
      const h = natsHeaders();
      h.set(Headers.kind, msg.kind);
      h.set(Headers.position, msg.position);
      const mySeq = ++expected;
      bus.js
        .publish(msg.subject, msg.body, { msgID: msg.msgId, headers: h, expect: { lastSequence: mySeq - 1, streamName: stream }, retries: 0, timeout: 10_000 })
        .then((ack) => {
          if (ack.duplicate || ack.seq !== mySeq) throw new Error(`stream ${stream} stored message at ${ack.seq}${ack.duplicate ? ' (duplicate)' : ''}, expected ${mySeq}`);
          entry.done = true;
          drainHead();
        })
        .catch((e: unknown) => setError(describePublishError(e, stream)));
    },
    afterAll(cb) {
      if (queue.length === 0) cb();
      else queue[queue.length - 1].callbacks.push(cb);
    },
    async flush() {
      while (!error && queue.length > 0) await wait();
      if (error) throw error;
    },
    inFlight: () => queue.length,
    nextSeq: () => expected + 1,
    failure: () => error,
    failed,
  };
}

/** Any failed publish ends the session; the runtime resumes from the last durable position. */
function describePublishError(e: unknown, stream: string): Error {
  const reason =
    e instanceof JetStreamApiError && e.code === JetStreamApiCodes.StreamWrongLastSequence
      ? `stream ${stream} moved on under the capture (an earlier publish was lost, or another writer published)`
      : `publish to ${stream} failed: ${e instanceof Error ? e.message : String(e)}`;
  return Object.assign(new Error(reason, { cause: e }), { code: 'PUBLISH_FAILED' });
}
