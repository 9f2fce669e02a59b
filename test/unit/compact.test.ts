import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { compact } from '../../sink/runtime/compact.js';
import type { Change, SourceRef } from '../../shared/envelope.js';
import type { TableSchema } from '../../shared/logical-types.js';
import type { ApplyStep } from '../../sink/runtime/connector.js';

const source: SourceRef = { kind: 'postgres', name: 'shop', db: 'src' };
const columns: TableSchema['columns'] = [
  { name: 'id', type: { kind: 'int64' }, nullable: false, nativeType: 'bigint' },
  { name: 'a', type: { kind: 'text' }, nullable: true, nativeType: 'text' },
  { name: 'body', type: { kind: 'text' }, nullable: true, nativeType: 'text' },
];
const keyed: TableSchema = { schema: 'public', table: 't', columns, primaryKey: ['id'], version: 1 };
const keyless: TableSchema = { ...keyed, primaryKey: [] };

let n = 0;
const pos = () => `0000000000000001.${String(++n).padStart(8, '0')}`;

/** The single `rows` step of a batch without truncates. */
function rows(steps: ApplyStep[]) {
  assert.equal(steps.length, 1);
  const [s] = steps;
  assert.equal(s.kind, 'rows');
  if (s.kind !== 'rows') throw new Error('unreachable');
  return s;
}

describe('compact on a keyed table', () => {
  it('keeps only the last state per key', () => {
    const last = pos();
    const s = rows(compact(source, keyed, [
      { op: 'c', after: { id: 1n, a: 'x', body: 'B' }, pos: pos() },
      { op: 'u', key: { id: 1n }, after: { id: 1n, a: 'y', body: 'B' }, pos: pos() },
      { op: 'c', after: { id: 2n, a: 'z', body: null }, pos: pos() },
      { op: 'u', key: { id: 1n }, after: { id: 1n, a: 'w', body: 'C' }, pos: last },
    ]));
    assert.deepEqual(s.deletes, []);
    assert.equal(s.upserts.length, 2);
    const one = s.upserts.find((u) => u.values.id === 1n);
    assert.deepEqual(one, { values: { id: 1n, a: 'w', body: 'C' }, unchanged: [], op: 'u', pos: last });
  });

  it('turns an insert followed by a delete into the delete only', () => {
    const d = pos();
    const s = rows(compact(source, keyed, [
      { op: 'c', after: { id: 1n, a: 'x', body: 'B' }, pos: pos() },
      { op: 'd', key: { id: 1n }, pos: d },
    ]));
    assert.deepEqual(s.upserts, []);
    assert.deepEqual(s.deletes, [{ key: { id: 1n }, pos: d }]);
  });

  it('takes the delete key from the old image when the change has no key', () => {
    const d = pos();
    const s = rows(compact(source, keyed, [{ op: 'd', before: { id: 7n, a: 'x', body: 'B' }, pos: d }]));
    assert.deepEqual(s.deletes, [{ key: { id: 7n }, pos: d }]);
  });

  it('turns a delete followed by an insert into an upsert', () => {
    const c = pos();
    const s = rows(compact(source, keyed, [
      { op: 'd', key: { id: 1n }, pos: pos() },
      { op: 'c', after: { id: 1n, a: 'new', body: 'N' }, pos: c },
    ]));
    assert.deepEqual(s.deletes, []);
    assert.deepEqual(s.upserts, [{ values: { id: 1n, a: 'new', body: 'N' }, unchanged: [], op: 'c', pos: c }]);
  });

  it('fills unchanged columns of an update from an earlier image in the same batch', () => {
    const u = pos();
    const s = rows(compact(source, keyed, [
      { op: 'c', after: { id: 1n, a: 'x', body: 'BIG' }, pos: pos() },
      { op: 'u', key: { id: 1n }, after: { id: 1n, a: 'y' }, unchanged: ['body'], pos: u },
    ]));
    assert.deepEqual(s.upserts, [{ values: { id: 1n, a: 'y', body: 'BIG' }, unchanged: [], op: 'c', pos: u }]);
  });

  it('keeps an update partial when the batch has no earlier image of the row', () => {
    const u = pos();
    const s = rows(compact(source, keyed, [{ op: 'u', key: { id: 1n }, after: { id: 1n, a: 'y' }, unchanged: ['body'], pos: u }]));
    assert.deepEqual(s.upserts, [{ values: { id: 1n, a: 'y' }, unchanged: ['body'], op: 'u', pos: u }]);
  });

  it('keeps a column unchanged when the earlier image lacked it too', () => {
    const u = pos();
    const s = rows(compact(source, keyed, [
      { op: 'u', key: { id: 1n }, after: { id: 1n, a: 'x' }, unchanged: ['body'], pos: pos() },
      { op: 'u', key: { id: 1n }, after: { id: 1n, a: 'y' }, unchanged: ['body'], pos: u },
    ]));
    assert.deepEqual(s.upserts, [{ values: { id: 1n, a: 'y' }, unchanged: ['body'], op: 'u', pos: u }]);
  });

  it('does not resurrect a deleted image into a later partial update', () => {
    const u = pos();
    const s = rows(compact(source, keyed, [
      { op: 'c', after: { id: 1n, a: 'x', body: 'OLD' }, pos: pos() },
      { op: 'd', key: { id: 1n }, pos: pos() },
      { op: 'u', key: { id: 1n }, after: { id: 1n, a: 'y' }, unchanged: ['body'], pos: u },
    ]));
    assert.deepEqual(s.deletes, []);
    assert.deepEqual(s.upserts, [{ values: { id: 1n, a: 'y' }, unchanged: ['body'], op: 'u', pos: u }]);
  });

  it('turns a primary-key update into a delete of the old key and an upsert of the new', () => {
    const u = pos();
    const s = rows(compact(source, keyed, [{ op: 'u', key: { id: 1n }, after: { id: 2n, a: 'x', body: 'B' }, pos: u }]));
    assert.deepEqual(s.deletes, [{ key: { id: 1n }, pos: u }]);
    assert.deepEqual(s.upserts, [{ values: { id: 2n, a: 'x', body: 'B' }, unchanged: [], op: 'u', pos: u }]);
  });

  it('resolves a primary-key swap back and forth to the final keys', () => {
    const last = pos();
    const s = rows(compact(source, keyed, [
      { op: 'u', key: { id: 1n }, after: { id: 2n, a: 'x', body: 'B' }, pos: pos() },
      { op: 'u', key: { id: 2n }, after: { id: 1n, a: 'x', body: 'B' }, pos: last },
    ]));
    assert.deepEqual(s.deletes, [{ key: { id: 2n }, pos: last }]);
    assert.deepEqual(s.upserts.map((u) => u.values.id), [1n]);
  });

  // BUG (reported): a primary-key update whose unchanged (TOAST) columns are only
  // present in the earlier image under the *old* key is not merged: the upsert
  // for the new key stays partial, so the moved row would lose `body`.
  it('fills unchanged columns of a primary-key update from the earlier image of the old key', () => {
    const u = pos();
    const s = rows(compact(source, keyed, [
      { op: 'c', after: { id: 1n, a: 'x', body: 'BIG' }, pos: pos() },
      { op: 'u', key: { id: 1n }, after: { id: 2n, a: 'x' }, unchanged: ['body'], pos: u },
    ]));
    assert.deepEqual(s.upserts, [{ values: { id: 2n, a: 'x', body: 'BIG' }, unchanged: [], op: 'c', pos: u }]);
  });

  it('distinguishes composite keys of bigint and bytes values', () => {
    const t: TableSchema = { ...keyed, primaryKey: ['id', 'a'] };
    const s = rows(compact(source, t, [
      { op: 'c', after: { id: 1n, a: Buffer.from([1]) }, pos: pos() },
      { op: 'c', after: { id: 1n, a: Buffer.from([2]) }, pos: pos() },
      { op: 'c', after: { id: 1n, a: Buffer.from([1]) }, pos: pos() },
    ]));
    assert.equal(s.upserts.length, 2);
  });

  it('splits the batch at a truncate and keeps the steps in order', () => {
    const steps = compact(source, keyed, [
      { op: 'c', after: { id: 1n, a: 'x' }, pos: pos() },
      { op: 't', pos: pos() },
      { op: 'c', after: { id: 1n, a: 'y' }, pos: pos() },
    ]);
    assert.deepEqual(steps.map((s) => s.kind), ['rows', 'truncate', 'rows']);
    const [first, , last] = steps;
    assert.ok(first.kind === 'rows' && last.kind === 'rows');
    assert.equal(first.upserts[0].values.a, 'x');
    assert.equal(last.upserts[0].values.a, 'y');
  });

  it('emits a bare truncate without empty row steps around it', () => {
    assert.deepEqual(compact(source, keyed, [{ op: 't', pos: pos() }]).map((s) => s.kind), ['truncate']);
    assert.deepEqual(compact(source, keyed, []), []);
  });
});

describe('compact on a keyless table', () => {
  it('appends inserts in order and removes matching rows for deletes and updates', () => {
    const [p1, p2, p3, p4] = [pos(), pos(), pos(), pos()];
    const steps = compact(source, keyless, [
      { op: 'c', after: { id: 1n, a: 'x' }, pos: p1 },
      { op: 'c', after: { id: 1n, a: 'x' }, pos: p2 },
      { op: 'u', before: { id: 1n, a: 'x' }, after: { id: 1n, a: 'y' }, pos: p3 },
      { op: 'd', before: { id: 1n, a: 'x' }, pos: p4 },
    ]);
    assert.deepEqual(steps, [
      { kind: 'append', source, table: keyless, rows: [
        { values: { id: 1n, a: 'x' }, unchanged: [], op: 'c', pos: p1 },
        { values: { id: 1n, a: 'x' }, unchanged: [], op: 'c', pos: p2 },
      ] },
      { kind: 'delete-match', source, table: keyless, row: { id: 1n, a: 'x' }, pos: p3 },
      { kind: 'append', source, table: keyless, rows: [{ values: { id: 1n, a: 'y' }, unchanged: [], op: 'u', pos: p3 }] },
      { kind: 'delete-match', source, table: keyless, row: { id: 1n, a: 'x' }, pos: p4 },
    ]);
  });

  it('splits appends at a truncate', () => {
    const steps = compact(source, keyless, [
      { op: 'c', after: { a: '1' }, pos: pos() },
      { op: 't', pos: pos() },
      { op: 'r', after: { a: '2' }, pos: pos() },
    ]);
    assert.deepEqual(steps.map((s) => s.kind), ['append', 'truncate', 'append']);
  });
});
