import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { startPostgres, type PgServer } from '../harness/index.js';
import { assertClearError } from '../support/clear-error.js';
import { runCli, writeConfig } from '../support/daemons.js';
import { sql } from '../support/pg-compare.js';

const SPECIAL = `p@:/?#&=+;%\\'{}()*$!w`;

describe('bad input', () => {
  let pgServer: PgServer;
  let url: string;
  before(async () => {
    pgServer = await startPostgres();
    url = await pgServer.createDatabase('app');
    await sql(url, 'CREATE TABLE orders (id int PRIMARY KEY, total numeric)');
    // Password logins over TCP for every role but postgres, so a wrong password is refused.
    await sql(url, `CREATE ROLE app LOGIN REPLICATION PASSWORD '${SPECIAL.replace(/'/g, "''")}'`);
    writeFileSync(path.join(pgServer.dataDir, 'pg_hba.conf'), 'local all all trust\nhost all postgres 127.0.0.1/32 trust\nhost all all 127.0.0.1/32 scram-sha-256\n');
    await sql(url, 'SELECT pg_reload_conf()');
  });
  after(() => pgServer.stop());

  const source = (address: string, options: Record<string, unknown> = {}) => writeConfig({ source: { name: 'app', address, options } });

  it('names the file, line and key of a config value of the wrong type', async () => {
    const file = writeConfig('nats:\n  url: nats://127.0.0.1:4222\n  stream:\n    replicas: many\nsource:\n  name: app\n  address: postgres://x@127.0.0.1/app\n');
    assertClearError(await runCli(['validate', '-c', file]), new RegExp(`${path.basename(file)}:4`), /nats\.stream\.replicas/);
  });

  it('points at the line of a YAML syntax error', async () => {
    const file = writeConfig('source:\n  name: app\n  address: "postgres://x@h/db\n  options: {}\n');
    assertClearError(await runCli(['validate', '-c', file]), /nilus\.yaml:\d+/);
  });

  it('rejects an unknown option with its path', async () => {
    assertClearError(await runCli(['validate', '-c', source(url, { 'slot.nmae': 'x' })]), /source\.options/, /slot\.nmae/);
  });

  it('says the password was rejected, without printing it', async () => {
    const r = await runCli(['validate', '-c', source(`postgres://app:wrong-secret@127.0.0.1:${pgServer.port}/app`)]);
    assertClearError(r, /rejected the login/, /password/);
    assert.ok(!r.stderr.includes('wrong-secret'));
  });

  it('accepts a password with every special character through an env reference', async () => {
    const r = await runCli(['validate', '-c', source(`postgres://app:\${env:APP_PW}@127.0.0.1:${pgServer.port}/app`)], { APP_PW: SPECIAL });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /can be captured/);
  });

  it('names an include-list table that does not exist', async () => {
    assertClearError(await runCli(['validate', '-c', source(url, { 'table.include.list': ['public.nope'] })]), /public\.nope/, /matches no table/);
  });

  it('says how to fix wal_level when it is not logical', async () => {
    const replica = await startPostgres({ settings: { wal_level: 'replica' } });
    try {
      assertClearError(await runCli(['validate', '-c', source(replica.url())]), /wal_level = replica/, /ALTER SYSTEM SET wal_level = logical/);
    } finally {
      await replica.stop();
    }
  });

  it('says the source cannot be reached when nothing listens', async () => {
    assertClearError(await runCli(['validate', '-c', source('postgres://postgres@127.0.0.1:1/app')]), /cannot reach the source PostgreSQL/);
  });
});
