import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { changePosition, formatLsn, parseLsn, parseSnapshotPosition, previousLsn, snapshotBase, snapshotPosition, SnapshotSlot } from '../../capture/postgres/pg-position.js';

describe('Postgres positions', () => {
  it('reads and writes LSNs in the server\'s X/Y form', () => {
    for (const text of ['0/0', '0/16B3748', '16/B374D848', 'FFFFFFFF/FFFFFFFF', '1/0']) assert.equal(formatLsn(parseLsn(text)), text);
    assert.equal(parseLsn('16/b374d848'), '00000016B374D848');
  });

  it('steps an LSN back one byte across the 32-bit boundary (the replication library adds one back)', () => {
    assert.equal(formatLsn(previousLsn(parseLsn('1/0'))), '0/FFFFFFFF');
    assert.equal(formatLsn(previousLsn(parseLsn('0/1947898'))), '0/1947897');
    assert.equal(formatLsn(previousLsn(parseLsn('0/0'))), '0/0');
  });

  it('orders LSNs as strings exactly as the server orders them', () => {
    const lsns = ['0/FFFFFFFF', '1/0', '0/10', '0/9', 'A/1', '10/0', '9/FFFFFFFF'];
    const byNumber = [...lsns].sort((a, b) => {
      const n = (t: string) => BigInt('0x' + t.split('/')[0]) * 2n ** 32n + BigInt('0x' + t.split('/')[1]);
      return n(a) < n(b) ? -1 : n(a) > n(b) ? 1 : 0;
    });
    assert.deepEqual([...lsns].map(parseLsn).sort().map(formatLsn), byNumber);
  });

  it('puts snapshot rows after their consistent point and before every change committed after it', () => {
    const cp = parseLsn('1/500');
    const rows = [snapshotPosition(cp, 0, 1), snapshotPosition(cp, 0, 2), snapshotPosition(cp, 1, 1)];
    const ordered = [changePosition(parseLsn('1/4FF'), 9), ...rows, changePosition(parseLsn('1/501'), 1)];
    assert.deepEqual([...ordered].sort(), ordered);
    assert.deepEqual(parseSnapshotPosition(rows[2]), { base: snapshotBase(cp, SnapshotSlot.INITIAL), tableIndex: 1, ordinal: 1 });
    assert.equal(parseSnapshotPosition(changePosition(cp, 1)), null);
  });

  it('puts backfill rows after their transaction\'s changes, or after everything up to the resume point, and before the next transaction', () => {
    const commit = parseLsn('1/600');
    const ordered = [
      changePosition(commit, 1),
      changePosition(commit, 2),
      snapshotPosition(commit, 0, 1, SnapshotSlot.AFTER_TRANSACTION),
      snapshotPosition(commit, 1, 7, SnapshotSlot.AFTER_TRANSACTION),
      snapshotPosition(commit, 0, 1, SnapshotSlot.AT_START),
      changePosition(parseLsn('1/601'), 1),
    ];
    assert.deepEqual([...ordered].sort(), ordered);
    assert.deepEqual(parseSnapshotPosition(ordered[3]), { base: snapshotBase(commit, SnapshotSlot.AFTER_TRANSACTION), tableIndex: 1, ordinal: 7 });
  });
});
