// Connections to MySQL and MariaDB from a mysql:// address, shared by the capture and the sink.
import mysql from 'mysql2/promise';
import { parseAddress } from '../config/address.js';
import { NilusError, type ErrorCode } from '../errors.js';

export type MysqlRole = 'source' | 'destination';

/**
 * Session settings Nilus' value mapping relies on: TIMESTAMP values are read and written in UTC
 * (the binlog carries them as UTC epoch seconds, so a UTC session makes snapshot and stream agree),
 * and utf8mb4 so 4-byte characters (emoji) survive.
 */
export const MYSQL_SESSION_SQL = "SET time_zone = '+00:00', NAMES utf8mb4";

/**
 * mysql2 settings from a mysql:// (or mariadb://) address. Credentials are percent-decoded.
 * Query parameters: `ssl=true|required|verify` (TLS), `connect_timeout` (seconds).
 *
 * Values come back lossless: BIGINT and DECIMAL as strings, dates as the server's text,
 * JSON as its text. Callers may override any option with `extra` (e.g. a typeCast).
 */
export function mysqlConnectionConfig(address: string, extra: mysql.ConnectionOptions = {}): mysql.ConnectionOptions {
  const a = parseAddress(address);
  if (a.scheme !== 'mysql' && a.scheme !== 'mariadb') throw new Error(`expected a mysql:// address, got ${a.scheme}://`);
  const ssl = a.params.ssl ?? a.params.sslmode;
  const timeout = a.params.connect_timeout ? Number(a.params.connect_timeout) * 1000 : 10_000;
  return {
    host: a.host || '127.0.0.1',
    port: a.port ?? 3306,
    user: a.user ?? 'root',
    password: a.password,
    database: a.path || undefined,
    ssl: ssl && !/^(false|disable|disabled|0|preferred)$/i.test(ssl) ? { rejectUnauthorized: /^(verify|verify_ca|verify_identity|verify-full|verify-ca)$/i.test(ssl) } : undefined,
    connectTimeout: Number.isFinite(timeout) && timeout > 0 ? timeout : 10_000,
    charset: 'UTF8MB4_GENERAL_CI',
    supportBigNumbers: true,
    bigNumberStrings: true,
    decimalNumbers: false,
    dateStrings: true,
    jsonStrings: true,
    timezone: 'Z',
    enableKeepAlive: true,
    ...extra,
  };
}

/** Opens one connection with Nilus' session settings; connection failures become one-paragraph NilusErrors. */
export async function connectMysql(address: string, role: MysqlRole, extra: mysql.ConnectionOptions = {}): Promise<mysql.Connection> {
  const config = mysqlConnectionConfig(address, extra);
  let conn: mysql.Connection | undefined;
  try {
    conn = await mysql.createConnection(config);
    // A dropped connection fails the pending and next queries; without a listener it would crash the process.
    conn.on('error', () => {});
    await conn.query(MYSQL_SESSION_SQL);
    return conn;
  } catch (e) {
    if (conn) conn.destroy();
    throw describeMysqlConnectError(e, role, config);
  }
}

/** A pool whose every connection gets Nilus' session settings. */
export function mysqlPool(address: string, extra: mysql.PoolOptions = {}): mysql.Pool {
  const pool = mysql.createPool({ ...mysqlConnectionConfig(address), connectionLimit: 4, ...extra });
  // The pool's 'connection' event hands out the callback connection underneath the promise wrapper.
  pool.pool.on('connection', (c) => {
    c.on('error', () => {});
    c.query(MYSQL_SESSION_SQL);
  });
  return pool;
}

/** Describes where a connection went, without the password. */
export function describeMysqlTarget(c: mysql.ConnectionOptions, role: MysqlRole): string {
  return `${role} MySQL at ${c.host}:${c.port}${c.database ? ` (database ${c.database}, user ${c.user})` : ` (user ${c.user})`}`;
}

export function describeMysqlConnectError(e: unknown, role: MysqlRole, c: mysql.ConnectionOptions): Error {
  if (e instanceof NilusError) return e;
  const err = e as { code?: string; errno?: number; message?: string };
  const where = describeMysqlTarget(c, role);
  const code = (suffix: 'UNREACHABLE' | 'AUTH'): ErrorCode => (role === 'source' ? `SOURCE_${suffix}` : `DEST_${suffix}`);
  const message = err.message ?? String(e);
  switch (err.code) {
    case 'ER_ACCESS_DENIED_ERROR': // 1045
    case 'ER_ACCESS_DENIED_NO_PASSWORD_ERROR':
    case 'ER_NOT_SUPPORTED_AUTH_MODE':
    case 'AUTH_SWITCH_PLUGIN_ERROR':
      return new NilusError(code('AUTH'), `the ${where} rejected the login: ${message}`, `check the user and password in the ${role} address (percent-encode special characters, or use \${env:NAME})`);
    case 'ER_DBACCESS_DENIED_ERROR': // 1044
      return new NilusError(code('AUTH'), `the ${where} denied access to the database: ${message}`, `grant the user access to it (GRANT SELECT ON \`${c.database}\`.* TO ...) or fix the path of the address`);
    case 'ER_BAD_DB_ERROR': // 1049
      return new NilusError(code('AUTH'), `the ${where} has no such database: ${message}`, 'create the database or fix the path of the address');
    case 'HANDSHAKE_SSL_ERROR':
    case 'HANDSHAKE_NO_SSL_SUPPORT':
      return new NilusError(code('UNREACHABLE'), `cannot open a TLS connection to the ${where}: ${message}`, 'check the ssl parameter of the address against the server\'s TLS set-up', { cause: e });
    default:
      return new NilusError(code('UNREACHABLE'), `cannot reach the ${where}: ${message}`, 'check that the server runs and the host and port are right', { cause: e });
  }
}

/** MySQL client errors that mean the connection or the server went away (restart, network): retry. Lock timeouts and deadlocks are not connection losses (callers retry those anyway). */
export function isMysqlConnectionLost(e: unknown): boolean {
  const err = e as { code?: string; errno?: number; fatal?: boolean } | null;
  if (!err) return false;
  if (err.fatal) return true;
  return (
    err.code === 'PROTOCOL_CONNECTION_LOST' ||
    err.code === 'ECONNRESET' ||
    err.code === 'ECONNREFUSED' ||
    err.code === 'EPIPE' ||
    err.code === 'ETIMEDOUT' ||
    err.code === 'ER_SERVER_SHUTDOWN' || // 1053
    err.code === 'ER_CON_COUNT_ERROR' || // 1040 too many connections
    err.errno === 2013 || // lost connection during query
    err.errno === 2006 // server has gone away
  );
}

/** Quotes an identifier with backticks. */
export function quoteMysqlIdent(name: string): string {
  return '`' + name.replaceAll('`', '``') + '`';
}
