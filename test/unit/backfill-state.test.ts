import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { backfillState, slotted, SnapshotSlot } from '../../capture/runtime/backfill.js';

describe('Backfill against the stream tail', () => {
  const base = slotted('0000000100000600', SnapshotSlot.AFTER_TRANSACTION);
  it('reads the rows when the stream ends before them, or is empty', () => {
    assert.equal(backfillState(undefined, base), 'read');
    assert.equal(backfillState('0000000100000600.00000002', base), 'read');
  });
  it('goes on when the tail is one of its rows', () => {
    assert.equal(backfillState(`${base}:0001:000000000010`, base), 'resume');
  });
  it('reads nothing when the stream already holds them and more', () => {
    assert.equal(backfillState('0000000100000601.00000001', base), 'done');
    assert.equal(backfillState(`${slotted('0000000100000600', SnapshotSlot.AT_START)}:0000:000000000001`, base), 'done');
  });
});
