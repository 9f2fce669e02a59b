import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Change, RowsBatch } from '../../shared/envelope.js';
import type { TableSchema } from '../../shared/logical-types.js';
import { createMasker, memorySequentialStore, settingsFromConfig } from '../../shared/masking/index.js';
import { people as basePeople } from '../support/masking-fixtures.js';

const SALT = 'unit-test-salt-0123456789';
// The masking tests' table, with a date column.
const people: TableSchema = { ...basePeople, columns: [...basePeople.columns, { name: 'born', type: { kind: 'date' }, nullable: true, nativeType: 'date' }] };
const MASKS = { 'public.people': { id: 'sequential', email: 'email', salary: 'noise:0.1', born: 'date_shift:30' } };
const source = { kind: 'postgres', name: 's', db: 'd' };
const values = (): unknown[][] => [
  [1n, 'ann@example.com', 1000, '1950-01-01'],
  [2n, null, -5, '1899-12-31'],
  [3n, 'ünï😀@x.org', null, null],
];
const rowsBatch = (rows: unknown[][], columns = people.columns.map((c) => c.name)): RowsBatch => ({ v: 1, source, schema: 'public', table: 'people', schemaVersion: 3, capturedAt: 0, columns, rows, positionPrefix: 'P', firstOrdinal: 1 });

describe('masking snapshot rows', () => {
  it('masks rows given as arrays exactly as the same rows given as changes', async () => {
    const settings = settingsFromConfig(MASKS, SALT);
    const asChanges = createMasker({ ...settings, sequentialStore: memorySequentialStore() });
    const asRows = createMasker({ ...settings, sequentialStore: memorySequentialStore() });
    const changes: Change[] = values().map((v, i) => ({ op: 'r', pos: String(i), key: { id: v[0] }, after: { id: v[0], email: v[1], salary: v[2], born: v[3] } }));
    await asChanges.mask([{ kind: 'schema', table: people }, { kind: 'change', batch: { v: 1, source, schema: 'public', table: 'people', schemaVersion: 3, capturedAt: 0, changes } }]);
    const rows = values();
    await asRows.mask([{ kind: 'schema', table: people }, { kind: 'rows', batch: rowsBatch(rows) }]);
    assert.deepEqual(rows, changes.map((c) => [c.after!.id, c.after!.email, c.after!.salary, c.after!.born]));
    assert.deepEqual(rows.map((r) => r[0]), [1n, 2n, 3n], 'sequential numbers in order of first appearance');
    assert.equal(rows[1][1], null, 'NULL stays NULL');
    assert.notEqual(rows[0][1], 'ann@example.com');
  });

  it("masks a capture's snapshot rows in place, against the table it is given", async () => {
    const m = createMasker({ ...settingsFromConfig({ 'public.people': { email: 'hash' } }, SALT), sequentialStore: memorySequentialStore() });
    const rows = values();
    await m.maskRows(people, rows);
    assert.match(String(rows[0][1]), /^[0-9a-f]{64}$/);
    assert.deepEqual(rows.map((r) => r[0]), [1n, 2n, 3n], 'columns without a mask are untouched');
  });

  it('refuses rows whose columns are not those of the schema event, rather than masking the wrong column', () => {
    const m = createMasker({ ...settingsFromConfig(MASKS, SALT), sequentialStore: memorySequentialStore() });
    assert.throws(() => m.mask([{ kind: 'schema', table: people }, { kind: 'rows', batch: rowsBatch(values(), ['id', 'salary', 'email', 'born']) }]), /list columns \(id, salary, email, born\) that are not those of its schema event/);
  });
});
