import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { connect } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import { startNats, startPostgres } from '../harness/index.js';
import { sequentialStoreOn } from '../../shared/masking/index.js';
import { sameRows, sql, tableText } from '../support/pg-compare.js';
import { Daemon, runCli, waitFor, writeConfig } from '../support/daemons.js';
import { startPipeline, type Pipeline } from '../support/pipeline.js';

// Daemons inherit the test's environment: the secrets travel as references only.
const SALT = 'integration-salt-5f2c9a1e7b3d4c6a';
process.env.NILUS_MASK_SALT = SALT;
process.env.NILUS_HMAC_KEY = 'integration-hmac-key-8e1f';

const MASKS = {
  'mask.salt': '${env:NILUS_MASK_SALT}',
  mask: {
    'public.customers': {
      id: 'uuid',
      email: 'email',
      phone: 'phone',
      ssn: 'hmac:${env:NILUS_HMAC_KEY}',
      card: 'credit_card',
      name: 'partial:1',
      salary: 'noise:0.1',
      income: 'range:10000',
      balance: 'round:1000',
      born: 'date_shift:30',
      joined: 'year_only',
      seen: 'month_year',
      city: 'sequential',
      note: 'redact',
    },
  },
};

const CUSTOMERS = `CREATE TABLE customers (
  id int PRIMARY KEY, email text, phone text, ssn text, card text, name varchar(40), salary int, income int,
  balance numeric(40,10), born date, joined date, seen timestamptz, city text, note text)`;

const CITIES = ['Zürich', 'Oslo', 'Lagos', 'Kyōto'];
function customer(i: number): string {
  const q = (s: string | null) => (s === null ? 'NULL' : `'${s.replace(/'/g, "''")}'`);
  return `(${i}, ${q(i % 10 === 0 ? null : `user${i}.name@example${i % 3}.com`)}, ${q(`+1 (415) 555-${String(1000 + i).slice(-4)}`)}, ${q(`123-45-${String(6000 + i)}`)},
    ${q(`4111 1111 1111 ${String(1000 + i)}`)}, ${q(`Ünïcødé Name ${i}`)}, ${50000 + i * 100}, ${-20000 + i * 777}, '123456789012345678901234567890.${String(i).padStart(10, '0')}',
    ${q(i % 2 ? '1850-02-28' : '0044-03-15 BC')}, '2020-0${(i % 9) + 1}-15', '2024-02-29 12:34:56.789012+05:30', ${q(CITIES[i % CITIES.length])}, 'secret note ${i}')`;
}

async function ackedAll(p: Pipeline, consumer: string): Promise<boolean> {
  const nc = await connect({ servers: p.nats.url });
  try {
    const jsm = await jetstreamManager(nc);
    const [s, c] = await Promise.all([jsm.streams.info('NILUS_SHOP'), jsm.consumers.info('NILUS_SHOP', consumer)]);
    return c.ack_floor.stream_seq === s.state.last_seq && c.num_pending === 0;
  } finally {
    await nc.close();
  }
}

function sinkConfig(p: Pipeline, name: string, address: string, options: Record<string, unknown>): string {
  return writeConfig({ nats: { url: p.nats.url }, sink: { name, from: 'shop', address, options } });
}

describe('column masking end to end', () => {
  it('masks PII into one destination while a second sink on the same stream gets the clear copy; a replay masks identically', async () => {
    const p = await startPipeline({ sinkOptions: MASKS });
    const plainUrl = await p.destPg.createDatabase('plain');
    const replayUrl = await p.destPg.createDatabase('replay');
    const plain = new Daemon('sink', sinkConfig(p, 'plain', plainUrl, {}));
    const replay = new Daemon('sink', sinkConfig(p, 'replay', replayUrl, MASKS));
    const all = [p.capture, p.sink, plain, replay];
    try {
      await sql(p.sourceUrl, CUSTOMERS);
      await sql(p.sourceUrl, `INSERT INTO customers VALUES ${Array.from({ length: 40 }, (_, i) => customer(i + 1)).join(',')}`);
      p.capture.start();
      p.sink.start();
      plain.start();
      await waitFor('the snapshot in the clear copy', () => sameRows(p.sourceUrl, plainUrl, 'customers'), 90_000, all);
      await waitFor('the snapshot in the masked copy', () => ackedAll(p, 'replica'), 60_000, all);

      // The masked sink restarts between snapshot and stream: it masks against the schema it stored.
      assert.equal(await p.sink.stop(), 0);
      await sql(p.sourceUrl, `INSERT INTO customers VALUES ${Array.from({ length: 10 }, (_, i) => customer(i + 41)).join(',')}`);
      await sql(p.sourceUrl, "UPDATE customers SET email = 'changed.address@example.org', salary = salary + 1 WHERE id IN (2, 3)");
      await sql(p.sourceUrl, 'UPDATE customers SET income = NULL, born = NULL WHERE id = 4');
      await sql(p.sourceUrl, 'DELETE FROM customers WHERE id IN (5, 6)');
      await sql(p.sourceUrl, 'UPDATE customers SET id = 1000 WHERE id = 7'); // the masked key moves too
      await sql(p.sourceUrl, "BEGIN; DELETE FROM customers WHERE id = 8; INSERT INTO customers VALUES " + customer(8).replace('user8', 'again8') + '; COMMIT');
      p.sink.start();
      await waitFor('the stream in the clear copy', () => sameRows(p.sourceUrl, plainUrl, 'customers'), 60_000, all);
      await waitFor('the stream in the masked copy', () => ackedAll(p, 'replica'), 60_000, all);

      const source = await tableText(p.sourceUrl, 'customers');
      const masked = await tableText(p.destUrl, 'customers');
      assert.equal(masked.length, source.length, 'deletes and the key move found their rows');

      // Types follow the masks, as the schema event announced.
      const types = await tableText(p.destUrl, "(SELECT column_name AS id, data_type FROM information_schema.columns WHERE table_name = 'customers') c");
      const typeOf = Object.fromEntries(types);
      assert.deepEqual(
        [typeOf.id, typeOf.email, typeOf.name, typeOf.salary, typeOf.income, typeOf.balance, typeOf.born, typeOf.joined, typeOf.seen, typeOf.city, typeOf.note],
        ['uuid', 'text', 'character varying', 'integer', 'text', 'numeric', 'date', 'integer', 'timestamp with time zone', 'bigint', 'text'],
      );

      // Nothing in the clear reaches the masked copy.
      const maskedText = JSON.stringify(masked);
      for (const row of source) {
        for (const v of [row[1], row[3], row[4], `Ünïcødé Name ${row[0]}`, `secret note ${row[0]}`]) if (v) assert.ok(!maskedText.includes(`"${v}"`), `${v} leaked`);
      }
      const byEmail = await tableText(p.destUrl, "(SELECT email AS id, phone, card, name, note, ssn, city FROM customers WHERE email LIKE 'c%') x");
      assert.deepEqual(byEmail.map((r) => r[0]), ['c*************s@example.org', 'c*************s@example.org'], 'updated rows carry the masked new email');
      assert.match(byEmail[0][1], /^\+1 \(415\) \*\*\*-\*\*\*\*$/);
      assert.match(byEmail[0][2], /^\*\*\*\* \*\*\*\* \*\*\*\* \d{4}$/);
      assert.match(byEmail[0][3], /^Ü\*+\d$/);
      assert.equal(byEmail[0][4], 'REDACTED');
      assert.match(byEmail[0][5], /^[0-9a-f]{64}$/);
      assert.equal((await tableText(p.destUrl, '(SELECT email AS id FROM customers WHERE email IS NULL) x')).length, source.filter((r) => r[1] === null).length, 'NULL stays NULL');
      const cities = await tableText(p.destUrl, '(SELECT DISTINCT city AS id FROM customers) x');
      assert.deepEqual(cities.map((r) => r[0]), ['1', '2', '3', '4'], 'sequential: one number per distinct city');
      const years = await tableText(p.destUrl, '(SELECT DISTINCT joined AS id FROM customers) x');
      assert.deepEqual(years.map((r) => r[0]), ['2020']);
      const months = await tableText(p.destUrl, '(SELECT DISTINCT seen::text AS id FROM customers) x');
      assert.deepEqual(months.map((r) => r[0]), ['2024-02-01 00:00:00+00']);
      const ranges = await tableText(p.destUrl, "(SELECT income AS id FROM customers WHERE income IS NOT NULL AND income !~ '^-?[0-9]+--?[0-9]+$') x");
      assert.deepEqual(ranges, [], 'range gives "lo-hi" buckets');

      // A replay of the whole stream by another instance, started last, masks identically.
      replay.start();
      await waitFor('the replay', () => ackedAll(p, 'replay'), 90_000, all);
      assert.deepEqual(await tableText(replayUrl, 'customers'), masked);
      assert.ok(!p.sink.log.includes(SALT) && !p.sink.log.includes('integration-hmac-key'), 'secrets stay out of the logs');
    } finally {
      await Promise.allSettled([plain.stop(), replay.stop()]);
    }
  });

  it('applies capture-side masks before publishing, and a sink masking a column the table lacks stops with a clear error', async () => {
    const p = await startPipeline({ sourceOptions: { mask: { 'public.users': { ssn: 'ssn', email: 'hash' } } } });
    await sql(p.sourceUrl, "CREATE TABLE users (id int PRIMARY KEY, email text, ssn text); INSERT INTO users VALUES (1, 'alice@example.com', '123-45-6789'), (2, NULL, '987-65-4321')");
    p.capture.start();
    p.sink.start();
    await waitFor('the masked rows', async () => (await tableText(p.destUrl, 'users').catch(() => [])).length === 2, 60_000, [p.capture, p.sink]);
    const rows = await tableText(p.destUrl, 'users');
    assert.deepEqual(rows.map((r) => r[2]), ['***-**-6789', '***-**-4321']);
    assert.match(rows[0][1], /^[0-9a-f]{64}$/);
    assert.equal(rows[1][1], null);
    // The clear values never entered the stream.
    const nc = await connect({ servers: p.nats.url });
    try {
      const jsm = await jetstreamManager(nc);
      const info = await jsm.streams.info('NILUS_SHOP');
      for (let seq = info.state.first_seq; seq <= info.state.last_seq; seq++) {
        const m = await jsm.streams.getMessage('NILUS_SHOP', { seq });
        const text = Buffer.from(m!.data).toString('latin1');
        assert.ok(!text.includes('alice@example.com') && !text.includes('123-45'), `message ${seq} holds a clear value`);
      }
    } finally {
      await nc.close();
    }

    const bad = new Daemon('sink', sinkConfig(p, 'bad', p.destUrl.replace(/\/[^/]+$/, '/postgres'), { mask: { 'public.users': { phone: 'phone' } } })).start();
    await waitFor('the misconfigured sink to stop', async () => !bad.running, 60_000, [bad]);
    assert.match(bad.log, /nilus\.yaml:\d+: sink\.options\.mask\.public\.users\.phone: column "phone" does not exist in public\.users/);
    assert.ok(!/\n\s+at /.test(bad.log), 'no stack trace');
  });

  it('sequential: two instances racing on one KV bucket agree on every number', async () => {
    const nats = await startNats();
    const [a, b] = await Promise.all([connect({ servers: nats.url }), connect({ servers: nats.url })]);
    try {
      const sa = sequentialStoreOn({ nc: a }, 'nilus_mask_test', 1);
      const sb = sequentialStoreOn({ nc: b }, 'nilus_mask_test', 1);
      const digests = Array.from({ length: 300 }, (_, i) => `d${String(i).padStart(4, '0')}`);
      // Overlapping sets, resolved at the same time, several rounds.
      const [ra, rb] = await Promise.all([sa.resolve('scope1', digests.slice(0, 200)), sb.resolve('scope1', digests.slice(100))]);
      const byA = new Map(digests.slice(0, 200).map((d, i) => [d, ra[i]]));
      const byB = new Map(digests.slice(100).map((d, i) => [d, rb[i]]));
      for (const d of digests.slice(100, 200)) assert.equal(byA.get(d), byB.get(d), `both instances give ${d} one number`);
      const all = new Map([...byA, ...byB]);
      assert.equal(new Set(all.values()).size, 300, 'distinct values get distinct numbers');
      // A restarted instance (a new store) reads the same numbers back.
      const again = await sequentialStoreOn({ nc: b }, 'nilus_mask_test', 1).resolve('scope1', digests);
      assert.deepEqual(again, digests.map((d) => all.get(d)));
      assert.deepEqual(await sa.resolve('scope2', ['x', 'y']), [1n, 2n], 'scopes count on their own');
    } finally {
      await Promise.allSettled([a.close(), b.close()]);
      await nats.stop();
    }
  });

  it('nilus validate checks masks against the source table: column, type and key, with the file line', async () => {
    const pg = await startPostgres();
    try {
      const url = await pg.createDatabase('app');
      await sql(url, 'CREATE TABLE people (id int PRIMARY KEY, email text, born date)');
      const config = (mask: Record<string, string>, extra: Record<string, unknown> = {}) =>
        writeConfig({ source: { name: 'app', address: url, options: {} }, sink: { name: 'copy', from: 'app', address: url, options: { 'mask.salt': '${env:NILUS_MASK_SALT}', mask: { 'public.people': mask }, ...extra } } });
      const ok = await runCli(['validate', '-c', config({ email: 'email', born: 'date_shift:10', id: 'uuid' })]);
      assert.equal(ok.code, 0, ok.stderr);
      assert.match(ok.stdout, /3 sink masks fit the source's columns/);
      const cases: [Record<string, string>, RegExp][] = [
        [{ emial: 'hash' }, /public\.people\.emial: column "emial" does not exist in public\.people/],
        [{ email: 'round:10' }, /public\.people\.email: round does not fit column "email" of type text/],
        [{ id: 'partial:1' }, /public\.people\.id: partial cannot mask primary-key column "id"/],
        [{ born: 'noise:3' }, /public\.people\.born: noise:3: the parameter must be a fraction/],
      ];
      for (const [mask, message] of cases) {
        const file = config(mask);
        const r = await runCli(['validate', '-c', file]);
        assert.equal(r.code, 2, r.stderr);
        const line = readFileSync(file, 'utf8').split('\n').findIndex((l) => l.includes(Object.keys(mask)[0] + ':')) + 1;
        assert.match(r.stderr, new RegExp(`${path.basename(file).replace('.', '\\.')}:${line}: `));
        assert.match(r.stderr, message);
      }
      const inline = await runCli(['validate', '-c', writeConfig({ sink: { name: 'copy', from: 'app', address: url, options: { 'mask.salt': 'an-inline-salt-1234567', mask: { 'public.people': { id: 'uuid' } } } } })]);
      assert.equal(inline.code, 2);
      assert.match(inline.stderr, /mask\.salt: must be a \$\{env:NAME\} or \$\{file:path\} reference/);
      assert.ok(!inline.stderr.includes('an-inline-salt'));
      const unknownTable = await runCli(['validate', '-c', config({ email: 'hash' }, { mask: { 'public.nope': { a: 'hash' } } })]);
      assert.match(unknownTable.stderr, /table public\.nope does not exist at the source/);
    } finally {
      await pg.stop();
    }
  });
});
