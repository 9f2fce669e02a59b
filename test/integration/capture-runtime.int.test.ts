import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createEmitter } from '../../capture/runtime/emitter.js';
import { createPublisher } from '../../capture/runtime/publisher.js';
import { connectBus, ensureStream, streamTail, type Bus } from '../../shared/jetstream.js';
import { createLogger } from '../../shared/log.js';
import { decode } from '../../shared/codec.js';
import { rowPosition, type RowsBatch } from '../../shared/envelope.js';
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

  it('publishes snapshot rows after the open change batch, as rows messages split to fit, with positions and msg-ids from their ordinals', async () => {
    const rowsStream = streamName('rows');
    await ensureStream(bus, rowsStream, [sourceSubjects('rows')], streamCfg);
    const wide: TableSchema = { ...table, columns: [...table.columns, { name: 'note', type: { kind: 'text' }, nullable: true, nativeType: 'text' }] };
    const publisher = createPublisher(bus, rowsStream, 0, 16);
    const src = { ...source, name: 'rows' };
    // 100 rows a message at most, and few enough bytes that a full one must be halved.
    const emitter = createEmitter({ publisher, source: src, resumeAfter: undefined, maxBatchRows: 100, lingerMs: 5, maxMessageBytes: 3000 });
    await emitter.change(wide, { op: 'c', key: { id: 0n }, after: { id: 0n, note: 'streamed' }, pos: '0000.1' });
    const rows = Array.from({ length: 250 }, (_, i) => [BigInt(i + 1), 'n'.repeat(40)]);
    await emitter.rows(wide, { positionPrefix: 'SNAP:0000', firstOrdinal: 1, rows });
    await new Promise<void>((resolve, reject) => emitter.flush(resolve).catch(reject));
    const info = await bus.jsm.streams.info(rowsStream);
    const messages = [];
    for (let seq = 1; seq <= info.state.last_seq; seq++) messages.push((await bus.jsm.streams.getMessage(rowsStream, { seq }))!);
    assert.deepEqual(messages.map((m) => m.header.get('Nilus-Kind')), ['schema', 'change', ...Array(messages.length - 2).fill('rows')]);
    const batches = messages.slice(2).map((m) => decode<RowsBatch>(m.data));
    assert.ok(batches.every((b) => b.rows.length <= 100) && batches.length > 3, `split into ${batches.map((b) => b.rows.length).join(' + ')} rows`);
    assert.deepEqual(batches.flatMap((b) => b.rows), rows, 'every row once, in order');
    let next = 1;
    for (const [i, b] of batches.entries()) {
      assert.equal(b.firstOrdinal, next);
      assert.deepEqual(b.columns, ['id', 'note']);
      next += b.rows.length;
      assert.equal(messages[i + 2].header.get('Nilus-Position'), rowPosition('SNAP:0000', next - 1));
      assert.equal(messages[i + 2].header.get('Nats-Msg-Id'), `rows:${rowPosition('SNAP:0000', b.firstOrdinal)}`);
    }
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
