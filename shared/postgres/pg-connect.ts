import pg from 'pg';
import { parseAddress } from '../config/address.js';
import { NilusError, type ErrorCode } from '../errors.js';
import { PG_SESSION_OPTIONS } from './pg-text.js';

export type PgRole = 'source' | 'destination';

/** pg client settings from a postgres:// address, with the session settings Nilus' text codec relies on. */
export function pgClientConfig(address: string): pg.ClientConfig {
  const a = parseAddress(address);
  if (a.scheme !== 'postgres' && a.scheme !== 'postgresql') throw new Error(`expected a postgres:// address, got ${a.scheme}://`);
  const sslmode = a.params.sslmode;
  return {
    host: a.host || '127.0.0.1',
    port: a.port ?? 5432,
    user: a.user ?? 'postgres',
    password: a.password,
    database: a.path || a.user || 'postgres',
    ssl: sslmode && sslmode !== 'disable' && sslmode !== 'prefer' ? { rejectUnauthorized: sslmode === 'verify-full' || sslmode === 'verify-ca' } : undefined,
    options: PG_SESSION_OPTIONS,
    application_name: a.params.application_name ?? 'nilus',
    connectionTimeoutMillis: 10_000,
    keepAlive: true,
    // Every value arrives as the server's text: the codec, not pg's parsers, decides what it means.
    types: { getTypeParser: () => (v: string) => v } as unknown as pg.CustomTypesConfig,
  };
}

export async function connectPg(address: string, role: PgRole): Promise<pg.Client> {
  const config = pgClientConfig(address);
  const client = new pg.Client(config);
  try {
    await client.connect();
  } catch (e) {
    await client.end().catch(() => {});
    throw describePgConnectError(e, role, config);
  }
  // A dropped connection fails the pending and next queries; without a listener it would crash the process.
  client.on('error', () => {});
  return client;
}

export function describePgConnectError(e: unknown, role: PgRole, c: pg.ClientConfig): Error {
  const err = e as { code?: string; message?: string };
  const where = `${role} PostgreSQL at ${c.host}:${c.port} (database ${c.database}, user ${c.user})`;
  const code = (suffix: 'UNREACHABLE' | 'AUTH'): ErrorCode => (role === 'source' ? `SOURCE_${suffix}` : `DEST_${suffix}`);
  switch (err.code) {
    case '28P01':
    case '28000':
      return new NilusError(code('AUTH'), `the ${where} rejected the login: ${err.message}`, `check the user and password in the ${role} address (percent-encode special characters, or use \${env:NAME})`);
    case '3D000':
      return new NilusError(code('AUTH'), `the ${where} has no such database: ${err.message}`, 'create the database or fix the path of the address');
    default:
      return new NilusError(code('UNREACHABLE'), `cannot reach the ${where}: ${err.message ?? String(e)}`, 'check that the server runs and the host and port are right', { cause: e });
  }
}
