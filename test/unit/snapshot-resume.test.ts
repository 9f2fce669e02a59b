import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { snapshotResumePoint } from '../../capture/runtime/snapshot.js';
import { rowChanges, rowPosition, type RowsBatch } from '../../shared/envelope.js';

const source = { kind: 'postgres', name: 's', db: 'd' };
const tables = ['public.a', 'public.b'];
const parse = (pos: string) => {
  const m = /^P:([0-9A-F]{4}):([0-9A-F]{12})$/.exec(pos);
  return m ? { base: 'P', tableIndex: parseInt(m[1], 16), ordinal: parseInt(m[2], 16) } : null;
};
const rows = (table: string, first: number): RowsBatch => ({ v: 1, source, schema: 'public', table, schemaVersion: 1, capturedAt: 0, columns: ['id', 'name'], rows: [[10n, 'x'], [11n, 'y']], positionPrefix: 'P:0001', firstOrdinal: first });

describe('snapshot resume point', () => {
  it("goes on after the last row of a rows message at the stream tail, its key read from the row", () => {
    const tail = { position: rowPosition('P:0001', 6), batch: rows('b', 5) };
    assert.deepEqual(snapshotResumePoint(tail, tables, 'P', parse), { tableIndex: 1, lastKey: { id: 11n, name: 'y' }, ordinal: 6 });
  });

  it('starts the table over when the tail holds rows of another table (a schema event of the next one came last)', () => {
    const tail = { position: rowPosition('P:0001', 0), batch: rows('a', 5) };
    assert.deepEqual(snapshotResumePoint(tail, tables, 'P', parse), { tableIndex: 1, lastKey: null, ordinal: 0 });
  });

  it('is null when the tail is not a snapshot row (streaming had begun, or another snapshot)', () => {
    assert.equal(snapshotResumePoint({ position: '0000000001.00000001' }, tables, 'P', parse), null);
    assert.equal(snapshotResumePoint({ position: rowPosition('P:0001', 6), batch: rows('b', 5) }, tables, 'Q', parse), null);
    assert.equal(snapshotResumePoint({}, tables, 'P', parse), null);
  });

  it('reads the key of a change batch of snapshot rows too', () => {
    const batch = { v: 1 as const, source, schema: 'public', table: 'b', schemaVersion: 1, capturedAt: 0, changes: rowChanges(rows('b', 5), ['id']) };
    assert.deepEqual(snapshotResumePoint({ position: rowPosition('P:0001', 6), batch }, tables, 'P', parse)?.lastKey, { id: 11n });
  });
});

describe('rows as changes', () => {
  it('gives each row op r, its key, and the position of its ordinal', () => {
    assert.deepEqual(rowChanges(rows('b', 5), ['id']), [
      { op: 'r', key: { id: 10n }, after: { id: 10n, name: 'x' }, pos: 'P:0001:000000000005', snapshot: true },
      { op: 'r', key: { id: 11n }, after: { id: 11n, name: 'y' }, pos: 'P:0001:000000000006', snapshot: true },
    ]);
  });
});
