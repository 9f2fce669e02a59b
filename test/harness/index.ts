// Hermetic servers for tests: each call starts a private instance on a free port in a temp dir.
export { freePort } from './free-port.js';
export { startMariaDb, MariaDbServer, type MariaDbOptions } from './mariadb-server.js';
export { startNats, NatsServer } from './nats-server.js';
export { startPostgres, PgServer, type PgServerOptions } from './postgres-server.js';
export type { StopOptions } from './process.js';
