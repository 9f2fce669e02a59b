// A throwaway MariaDB server with a binlog, for MySQL-family capture tests.
// Talks to the server through the `mariadb` client binary so the project needs no npm MySQL driver.
import os from 'node:os';
import path from 'node:path';
import { findBinary, launchOnFreePort, makeTempDir, ManagedServer, removeTempDir, run, ServerProcess, } from './process.js';

export interface MariaDbOptions {
  /** binlog_format; 'OFF' starts without a binlog. Default 'ROW'. */
  binlogFormat?: 'ROW' | 'STATEMENT' | 'MIXED' | 'OFF';
}

const READY_TIMEOUT_MS = 30_000;

export class MariaDbServer extends ManagedServer {
  readonly host = '127.0.0.1';
  protected readonly stopSignal = 'SIGTERM' as const;
  protected override readonly readyTimeoutMs = READY_TIMEOUT_MS;

  private constructor(
    readonly port: number,
    readonly baseDir: string,
    readonly dataDir: string,
    readonly logFile: string,
    private readonly bin: MariaDbBinaries,
    private readonly serverArgs: string[],
  ) {
    super();
  }

  /** @internal use startMariaDb() */
  static async launch(opts: MariaDbOptions): Promise<MariaDbServer> {
    const bin = mariaDbBinaries();
    const baseDir = makeTempDir('nilus-mariadb-');
    try {
      const dataDir = path.join(baseDir, 'data');
      // --auth-root-authentication-method=normal: root logs in over TCP with an empty password.
      await run(bin.installDb, ['--no-defaults', `--user=${os.userInfo().username}`, `--datadir=${dataDir}`, '--auth-root-authentication-method=normal', '--skip-test-db']);
      const format = opts.binlogFormat ?? 'ROW';
      const binlog = format === 'OFF' ? [] : [`--log-bin=${path.join(baseDir, 'binlog')}`, '--server-id=1', `--binlog-format=${format}`, '--binlog-row-image=FULL'];
      const serverArgs = [
        // --no-defaults keeps the host's /etc/mysql config (and its socket/port) out of the way.
        '--no-defaults',
        `--user=${os.userInfo().username}`,
        `--datadir=${dataDir}`,
        '--bind-address=127.0.0.1',
        `--socket=${path.join(baseDir, 'mysqld.sock')}`,
        `--pid-file=${path.join(baseDir, 'mysqld.pid')}`,
        '--skip-name-resolve',
        // 2 = write the redo log on every commit, fsync once a second: as cheap as 0, but
        // commits survive kill(), so InnoDB never falls behind the binlog after a crash.
        '--innodb-flush-log-at-trx-commit=2',
        ...binlog,
      ];
      return await launchOnFreePort(async (port) => {
        const server = new MariaDbServer(port, baseDir, dataDir, path.join(baseDir, 'mariadb.log'), bin, serverArgs);
        await server.start();
        return server;
      });
    } catch (err) {
      await removeTempDir(baseDir);
      throw err;
    }
  }

  url(db = ''): string {
    return `mysql://root@${this.host}:${this.port}/${encodeURIComponent(db)}`;
  }

  /** Runs SQL with the client binary; returns its tab-separated output without a header row. */
  async query(sql: string, db?: string): Promise<string> {
    const args = ['--no-defaults', '--protocol=TCP', `-h${this.host}`, `-P${this.port}`, '-uroot', '--batch', '--skip-column-names', '-e', sql];
    if (db) args.push(db);
    return run(this.bin.client, args, { timeoutMs: 30_000 });
  }

  /** Creates a database and returns its URL. */
  async createDatabase(name: string): Promise<string> {
    await this.query(`CREATE DATABASE \`${name.replaceAll('`', '``')}\``);
    return this.url(name);
  }

  protected spawn(): ServerProcess {
    return new ServerProcess('mariadbd', this.bin.server, [...this.serverArgs, `--port=${this.port}`], { logFile: this.logFile });
  }

  protected isReady(): Promise<boolean> {
    return this.query('SELECT 1').then(() => true, () => false);
  }

}

export function startMariaDb(opts: MariaDbOptions = {}): Promise<MariaDbServer> {
  return MariaDbServer.launch(opts);
}

interface MariaDbBinaries {
  installDb: string;
  server: string;
  client: string;
}

function mariaDbBinaries(): MariaDbBinaries {
  return {
    installDb: findBinary(['mariadb-install-db', 'mysql_install_db']),
    server: findBinary(['mariadbd', 'mysqld']),
    client: findBinary(['mariadb', 'mysql']),
  };
}
