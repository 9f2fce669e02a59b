// A PostgreSQL table with every type Nilus maps, rows at the edges of each, and changes to stream.
import { sql } from './pg-compare.js';

/** `items` with every type, and `events` (a serial key). */
export const PG_ALL_TYPES = `
CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');
CREATE TABLE items (
  id bigint PRIMARY KEY,
  big int8, small int2, num numeric(40,10), free_num numeric, f8 float8, f4 float4, flag boolean,
  name varchar(40), body text, raw bytea, doc json, docb jsonb, uid uuid,
  day date, clock time(6), ts timestamp(6), tstz timestamptz(6), span interval,
  feeling mood, tags text[], scores int[], feelings mood[]
);
CREATE TABLE events (id serial PRIMARY KEY, kind text NOT NULL);`;

/** One row of `items` exercising the edges of every type (a TOASTed body among them); `id` picks the variant. */
export function insertItem(id: number): string {
  return `INSERT INTO items VALUES (${id}, ${id % 2 ? '9223372036854775807' : '-9223372036854775808'}, ${id % 300}, '123456789012345678901234567890.0123456789', ${id % 3 ? "'NaN'" : "'-0.000000000000000000000000001'"},
    ${id % 4 === 0 ? "'Infinity'" : id % 4 === 1 ? "'-Infinity'" : id % 4 === 2 ? "'NaN'" : '1.0000000000000002'}, 3.4028235e38, ${id % 2 === 0},
    'n''ame ${id} ✓', repeat('toast-${id}-', 4000), '\\x00ff${(id % 256).toString(16).padStart(2, '0')}', '{"a": 1.000000000000000000001, "b": [1, "x"]}', '{"k": ${id}, "u": "ü"}', gen_random_uuid(),
    ${id % 3 === 0 ? "'0044-03-15 BC'" : id % 3 === 1 ? "'5874897-12-31'" : "'1900-02-28'"}, '23:59:59.999999', '1969-12-31 23:59:59.000001', '2024-02-29 12:34:56.789012+05:30', 'P1Y2M3DT4H5M6.000007S',
    '${['sad', 'ok', 'happy'][id % 3]}', ARRAY['a"b', 'c\\d', NULL, ''], ARRAY[1, NULL, -3], ARRAY['ok', 'happy']::mood[])`;
}

/** The snapshot's rows: items 1..300 and 50 events. */
export async function seedItems(url: string): Promise<void> {
  for (let id = 1; id <= 300; id++) await sql(url, insertItem(id));
  await sql(url, "INSERT INTO events (kind) SELECT 'seed' FROM generate_series(1, 50)");
}

/** Streamed changes to items: inserts 301..400, updates (one leaving the TOASTed body untouched), deletes, a key move, and a transaction of several. */
export async function changeItems(url: string): Promise<void> {
  for (let id = 301; id <= 400; id++) await sql(url, insertItem(id));
  await sql(url, "UPDATE items SET name = 'renamed', big = big / 2 WHERE id % 5 = 0"); // body is TOASTed and unchanged
  await sql(url, "UPDATE items SET body = body || 'tail' WHERE id % 7 = 0");
  await sql(url, 'DELETE FROM items WHERE id % 11 = 0');
  await sql(url, 'UPDATE items SET id = id + 10000 WHERE id = 12'); // primary key moves
  await sql(url, 'BEGIN; UPDATE items SET small = 1 WHERE id = 1; UPDATE items SET small = 2 WHERE id = 1; DELETE FROM items WHERE id = 2; INSERT INTO items (id, name) VALUES (2, \'again\'); COMMIT');
}
