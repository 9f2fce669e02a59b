import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { sameRows, sql, tableText } from '../support/pg-compare.js';
import { waitFor } from '../support/daemons.js';
import { changeItems, PG_ALL_TYPES, seedItems } from '../support/pg-fixtures.js';
import { startPipeline } from '../support/pipeline.js';

describe('PostgreSQL → JetStream → PostgreSQL', () => {
  it('copies a snapshot, then streams inserts, updates (one leaving a TOASTed column untouched), deletes and a truncate, every type intact', async () => {
    const p = await startPipeline();
    await sql(p.sourceUrl, PG_ALL_TYPES);
    await seedItems(p.sourceUrl);
    p.capture.start();
    p.sink.start();
    await waitFor('the snapshot to reach the destination', () => sameRows(p.sourceUrl, p.destUrl, 'items'), 90_000, [p.capture, p.sink]);
    await waitFor('events snapshot', () => sameRows(p.sourceUrl, p.destUrl, 'events'), 30_000, [p.capture, p.sink]);

    await changeItems(p.sourceUrl);
    await sql(p.sourceUrl, 'TRUNCATE events');
    await sql(p.sourceUrl, "INSERT INTO events (kind) VALUES ('after-truncate')");

    await waitFor('the stream to reach the destination', async () => (await sameRows(p.sourceUrl, p.destUrl, 'items')) && (await sameRows(p.sourceUrl, p.destUrl, 'events')), 60_000, [p.capture, p.sink]);
    const toasted = await tableText(p.destUrl, '(SELECT id, length(body) FROM items WHERE id % 5 = 0 AND id % 7 <> 0) t');
    assert.ok(toasted.every(([, len]) => Number(len) > 10_000), 'unchanged TOAST values kept their content');
  });
});
