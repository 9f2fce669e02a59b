// The newcomer's demo: private PostgreSQL and NATS servers, a seeded shop
// database, a capture and a sink daemon between two databases, live changes,
// and a row-by-row comparison at the end. Nothing outside temp dirs is touched.
import { setTimeout as sleep } from 'node:timers/promises';
import { startNats, startPostgres } from '../test/harness/index.js';
import { Daemon, writeConfig } from '../test/support/daemons.js';
import { sameRows, sql } from '../test/support/pg-compare.js';

const SECONDS = Number(process.env.DEMO_SECONDS ?? 20);
const say = (s: string) => process.stdout.write(`${s}\n`);

say('nilus demo: starting a private PostgreSQL (wal_level=logical) and nats-server -js …');
const [pg, nats] = await Promise.all([startPostgres(), startNats()]);
const daemons: Daemon[] = [];
const cleanup = async () => {
  await Promise.allSettled(daemons.map((d) => d.stop()));
  await Promise.allSettled([pg.stop(), nats.stop()]);
};
process.on('SIGINT', () => void cleanup().then(() => process.exit(130)));

try {
  const source = await pg.createDatabase('shop');
  const dest = await pg.createDatabase('analytics');
  await sql(source, `
    CREATE TABLE customers (id bigserial PRIMARY KEY, email text NOT NULL, country char(2), created timestamptz DEFAULT now());
    CREATE TABLE orders (id bigserial PRIMARY KEY, customer_id bigint, total numeric(12,2), status text, items jsonb, placed timestamptz DEFAULT now());
    INSERT INTO customers (email, country) SELECT 'user' || g || '@example.com', (ARRAY['DE','FR','NL','PL'])[1 + g % 4] FROM generate_series(1, 2000) g;
    INSERT INTO orders (customer_id, total, status, items) SELECT 1 + g % 2000, round((random() * 500)::numeric, 2), 'new', jsonb_build_array(jsonb_build_object('sku', g % 97, 'qty', 1 + g % 3)) FROM generate_series(1, 20000) g;`);
  say('seeded shop: 2,000 customers, 20,000 orders');

  const config = writeConfig({
    nats: { url: nats.url },
    source: { name: 'shop', address: source, options: { 'heartbeat.interval.ms': 1000 } },
    sink: { name: 'analytics', from: 'shop', address: dest, options: { mask: { 'public.customers': { email: 'hash' } } } },
  });
  say(`config: ${config}  (customers.email is masked with sha256 on the way)`);
  const capture = new Daemon('capture', config).start();
  const sink = new Daemon('sink', config).start();
  daemons.push(capture, sink);

  say(`live changes for ${SECONDS}s: new orders, status updates, cancellations …`);
  const count = async (url: string, table: string) => Number((await sql(url, `SELECT count(*) AS n FROM ${table}`)).rows[0].n);
  const ended = Date.now() + SECONDS * 1000;
  let changes = 0;
  while (Date.now() < ended) {
    for (let i = 0; i < 20; i++) {
      const r = Math.random();
      if (r < 0.5) await sql(source, "INSERT INTO orders (customer_id, total, status, items) VALUES ($1, $2, 'new', '[]')", [1 + Math.floor(Math.random() * 2000), (Math.random() * 300).toFixed(2)]);
      else if (r < 0.9) await sql(source, "UPDATE orders SET status = 'shipped' WHERE id = $1", [1 + Math.floor(Math.random() * 20000)]);
      else await sql(source, 'DELETE FROM orders WHERE id = $1', [1 + Math.floor(Math.random() * 20000)]);
      changes++;
    }
    const [s, d] = await Promise.all([count(source, 'orders'), count(dest, 'orders').catch(() => 0)]);
    say(`  source orders ${s.toLocaleString('en')}  destination orders ${d.toLocaleString('en')}  changes so far ${changes.toLocaleString('en')}`);
    await sleep(1000);
  }

  say('waiting for the destination to catch up …');
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline && !(await sameRows(source, dest, 'orders'))) await sleep(250);
  const ordersEqual = await sameRows(source, dest, 'orders');
  const masked = await sql(dest, "SELECT count(*) AS n FROM customers WHERE email ~ '^[0-9a-f]{64}$'");
  say('');
  say(`orders: destination ${ordersEqual ? 'equals' : 'DIFFERS FROM'} the source, row by row (${(await count(dest, 'orders')).toLocaleString('en')} rows)`);
  say(`customers: ${Number(masked.rows[0].n).toLocaleString('en')} of 2,000 emails arrived as sha256 hashes`);
  say('stopping daemons and servers.');
  await cleanup();
  process.exit(ordersEqual ? 0 : 1);
} catch (e) {
  process.stderr.write(`demo failed: ${(e as Error).message}\n${daemons.map((d) => d.log.slice(-2000)).join('\n')}\n`);
  await cleanup();
  process.exit(1);
}
