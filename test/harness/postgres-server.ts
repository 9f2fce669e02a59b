// A throwaway PostgreSQL cluster per call, tuned for logical replication tests.
import { chown, readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import { findBinary, isExecutable, launchOnFreePort, makeTempDir, ManagedServer, removeTempDir, run, ServerProcess } from './process.js';

export interface PgServerOptions {
  /** Extra `-c name=value` server settings; they override the defaults below. */
  settings?: Record<string, string>;
}

const DEFAULT_SETTINGS: Record<string, string> = {
  listen_addresses: '127.0.0.1',
  wal_level: 'logical',
  max_replication_slots: '20',
  max_wal_senders: '20',
  // Durability is irrelevant for test data; these make commits and checkpoints cheap. After kill(),
  // commits of the last few hundred ms may be gone (never flushed, so logical decoding never saw
  // them either); pass settings: { synchronous_commit: 'on' } when every commit must survive.
  fsync: 'off',
  synchronous_commit: 'off',
  full_page_writes: 'off',
  logical_decoding_work_mem: '256MB',
  shared_buffers: '256MB',
};

export class PgServer extends ManagedServer {
  readonly host = '127.0.0.1';
  protected readonly stopSignal = 'SIGINT' as const;

  private constructor(
    readonly port: number,
    /** Temp dir owning the data dir, the socket and the log. */
    readonly baseDir: string,
    readonly dataDir: string,
    readonly logFile: string,
    private readonly bin: PgBinaries,
    private readonly owner: Owner,
    private readonly settings: Record<string, string>,
  ) {
    super();
  }

  /** @internal use startPostgres() */
  static async launch(opts: PgServerOptions): Promise<PgServer> {
    const bin = await pgBinaries();
    const owner = await postgresOwner();
    const baseDir = makeTempDir('nilus-pg-');
    try {
      if (owner.uid !== undefined) await chown(baseDir, owner.uid, owner.gid!);
      const dataDir = path.join(baseDir, 'data');
      await initdb(bin, dataDir, owner);
      const settings = { ...DEFAULT_SETTINGS, ...opts.settings };
      return await launchOnFreePort(async (port) => {
        const server = new PgServer(port, baseDir, dataDir, path.join(baseDir, 'postgres.log'), bin, owner, settings);
        await server.start();
        return server;
      });
    } catch (err) {
      await removeTempDir(baseDir);
      throw err;
    }
  }

  url(db = 'postgres'): string {
    return `postgres://postgres@${this.host}:${this.port}/${encodeURIComponent(db)}`;
  }

  /** Runs one statement on a short-lived connection and returns its rows. */
  async query<R extends pg.QueryResultRow = pg.QueryResultRow>(sql: string, db = 'postgres'): Promise<R[]> {
    const client = new pg.Client({ connectionString: this.url(db) });
    await client.connect();
    try {
      return (await client.query<R>(sql)).rows;
    } finally {
      await client.end();
    }
  }

  /** Creates a database and returns its URL. */
  async createDatabase(name: string): Promise<string> {
    await this.query(`CREATE DATABASE "${name.replaceAll('"', '""')}"`);
    return this.url(name);
  }

  protected spawn(): ServerProcess {
    const args = ['-D', this.dataDir, '-p', String(this.port), '-k', this.baseDir];
    for (const [name, value] of Object.entries(this.settings)) args.push('-c', `${name}=${value}`);
    return new ServerProcess('postgres', this.bin.postgres, args, { logFile: this.logFile, uid: this.owner.uid, gid: this.owner.gid });
  }

  protected isReady(): Promise<boolean> {
    return this.acceptsConnections();
  }

  private async acceptsConnections(): Promise<boolean> {
    const client = new pg.Client({ host: this.host, port: this.port, user: 'postgres', database: 'postgres', connectionTimeoutMillis: 2_000 });
    // A refused connection also emits 'error' on the client; without a listener it would crash the process.
    client.on('error', () => {});
    try {
      await client.connect();
      await client.query('SELECT 1');
      return true;
    } catch {
      return false;
    } finally {
      await client.end().catch(() => {});
    }
  }
}

export function startPostgres(opts: PgServerOptions = {}): Promise<PgServer> {
  return PgServer.launch(opts);
}

interface PgBinaries {
  initdb: string;
  postgres: string;
}

interface Owner {
  uid?: number;
  gid?: number;
}

let binaries: Promise<PgBinaries> | undefined;
function pgBinaries(): Promise<PgBinaries> {
  binaries ??= findPgBinaries();
  return binaries;
}

// Debian keeps server binaries off PATH in /usr/lib/postgresql/<major>/bin; prefer
// pg_config's answer, then the newest installed major, then PATH.
async function findPgBinaries(): Promise<PgBinaries> {
  const dirs: string[] = [];
  try {
    dirs.push((await run('pg_config', ['--bindir'])).trim());
  } catch {
    // pg_config is optional (it ships with libpq-dev)
  }
  try {
    const majors = (await readdir('/usr/lib/postgresql')).sort((a, b) => Number(b) - Number(a));
    dirs.push(...majors.map((major) => `/usr/lib/postgresql/${major}/bin`));
  } catch {
    // not a Debian layout
  }
  for (const dir of dirs) {
    const initdb = path.join(dir, 'initdb');
    const postgres = path.join(dir, 'postgres');
    if (isExecutable(initdb) && isExecutable(postgres)) return { initdb, postgres };
  }
  return { initdb: findBinary(['initdb']), postgres: findBinary(['postgres']) };
}

// PostgreSQL refuses to run as root, so as root we run it as the `postgres` system user.
async function postgresOwner(): Promise<Owner> {
  if (process.getuid?.() !== 0) return {};
  try {
    const uid = Number((await run('id', ['-u', 'postgres'])).trim());
    const gid = Number((await run('id', ['-g', 'postgres'])).trim());
    return { uid, gid };
  } catch (err) {
    throw new Error(`running as root needs a 'postgres' system user to own the cluster: ${(err as Error).message}`);
  }
}

async function initdb(bin: PgBinaries, dataDir: string, owner: Owner): Promise<void> {
  const base = ['-D', dataDir, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync'];
  try {
    await run(bin.initdb, [...base, '--locale=C.UTF-8'], { uid: owner.uid, gid: owner.gid });
  } catch {
    // Some minimal images lack the C.UTF-8 locale.
    await rm(dataDir, { recursive: true, force: true });
    await run(bin.initdb, [...base, '--no-locale'], { uid: owner.uid, gid: owner.gid });
  }
}
