import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createEmitter } from '../../capture/runtime/emitter.js';
import { createPublisher } from '../../capture/runtime/publisher.js';
import { connectBus, ensureStream, streamTail, type Bus } from '../../shared/jetstream.js';
import { createLogger } from '../../shared/log.js';
import type { TableSchema } from '../../shared/logical-types.js';
import { sourceSubjects, streamName } from '../../shared/subjects.js';
import { startNats, type NatsServer } from '../harness/index.js';

const table: TableSchema = { schema: 'public', table: 't', columns: [{ name: 'id', type: { kind: 'int64' }, nullable: false, nativeType: 'bigint' }], primaryKey: ['id'], version: 7 };
const source = { kind: 'postgres', name: 'rt', db: 'db' };
const streamCfg = { 'max-age': 3_600_000, 'max-bytes': -1, replicas: 1, 'duplicate-window': 600_000 };

describe('capture runtime against a real JetStream', () => {
  let nats: NatsServer;
  let bus: Bus;
  const stream = streamName('rt');
  before(async () => {
    nats = await startNats();
    bus = await connectBus({ url: nats.url, stream: streamCfg }, createLogger('test', 'silent'), 'test', new AbortController().signal);
    await ensureStream(bus, stream, [sourceSubjects('rt')], streamCfg);
  });
  after(async () => {
    await bus.close();
    await nats.stop();
  });

  const session = async () => {
    const tail = await streamTail(bus, stream);
    const publisher = createPublisher(bus, stream, tail.seq, 16);
    return { publisher, emitter: createEmitter({ publisher, source, resumeAfter: tail.position, maxBatchRows: 100, lingerMs: 5, maxMessageBytes: 900_000 }) };
  };

  it('resumes after a session that died between its schema event and its first batch', async () => {
    const first = await session();
    await first.emitter.change(table, { op: 'c', key: { id: 1n }, after: { id: 1n }, pos: 'A.1' }); // schema sent, batch still buffered
    await first.publisher.flush();
    const second = await session();
    await second.emitter.change(table, { op: 'c', key: { id: 1n }, after: { id: 1n }, pos: 'A.1' });
    await new Promise<void>((resolve, reject) => second.emitter.flush(resolve).catch(reject));
    assert.equal(second.publisher.failure(), null);
    assert.equal((await streamTail(bus, stream)).position, 'A.1');
  });

  it('skips changes the stream already holds, and runs checkpoints only after their PubAck', async () => {
    const s = await session();
    const confirmed: string[] = [];
    await s.emitter.change(table, { op: 'u', key: { id: 1n }, after: { id: 1n }, pos: 'A.1' }); // at the tail: skipped
    await s.emitter.change(table, { op: 'u', key: { id: 1n }, after: { id: 1n }, pos: 'A.2' });
    await s.emitter.commit(() => confirmed.push('A'));
    assert.deepEqual(confirmed, [], 'not before the PubAck');
    await new Promise<void>((resolve, reject) => s.emitter.flush(resolve).catch(reject));
    assert.deepEqual(confirmed, ['A']);
    const info = await bus.jsm.streams.info(stream);
    const last = await bus.jsm.streams.getMessage(stream, { seq: info.state.last_seq });
    assert.equal(last!.header.get('Nilus-Position'), 'A.2');
  });

  it('fails the session when another writer slipped a message into the stream', async () => {
    const s = await session();
    await bus.js.publish('nilus.rt.public.t', new Uint8Array([1]));
    await s.emitter.change(table, { op: 'u', key: { id: 1n }, after: { id: 1n }, pos: 'B.1' });
    await s.emitter.commit();
    const err = await s.publisher.failed;
    assert.match(err.message, /moved on under the capture/);
  });
});
