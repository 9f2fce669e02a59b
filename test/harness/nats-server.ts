// A throwaway nats-server with JetStream, whose store survives kill()/start().
import path from 'node:path';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { findBinary, launchOnFreePort, makeTempDir, removeTempDir, ServerProcess, waitUntilReady, type StopOptions } from './process.js';

const READY_TIMEOUT_MS = 20_000;

export class NatsServer {
  readonly host = '127.0.0.1';
  private proc: ServerProcess | undefined;

  private constructor(
    readonly port: number,
    readonly baseDir: string,
    /** JetStream store (`-sd`); kept across kill()/start(). */
    readonly storeDir: string,
    readonly logFile: string,
    private readonly bin: string,
  ) {}

  /** @internal use startNats() */
  static async launch(): Promise<NatsServer> {
    const bin = findBinary(['nats-server']);
    const baseDir = makeTempDir('nilus-nats-');
    try {
      return await launchOnFreePort(async (port) => {
        const server = new NatsServer(port, baseDir, path.join(baseDir, 'store'), path.join(baseDir, 'nats.log'), bin);
        await server.start();
        return server;
      });
    } catch (err) {
      await removeTempDir(baseDir);
      throw err;
    }
  }

  get url(): string {
    return `nats://${this.host}:${this.port}`;
  }

  /** (Re)starts on the same port and store dir; resolves once JetStream answers. */
  async start(): Promise<void> {
    if (this.proc?.running) throw new Error('nats-server is already running');
    const args = ['-a', this.host, '-p', String(this.port), '-js', '-sd', this.storeDir];
    const proc = new ServerProcess('nats-server', this.bin, args, { logFile: this.logFile });
    this.proc = proc;
    try {
      await waitUntilReady(proc, () => this.jetStreamReady(), READY_TIMEOUT_MS);
    } catch (err) {
      await proc.kill();
      throw err;
    }
  }

  /** Graceful shutdown (SIGTERM), SIGKILL after 10 s; removes the store unless keepData. */
  async stop(opts: StopOptions = {}): Promise<void> {
    await this.proc?.stop('SIGTERM');
    if (!opts.keepData) await removeTempDir(this.baseDir);
  }

  /** SIGKILL, as a crash would; the store stays for start(). */
  async kill(): Promise<void> {
    await this.proc?.kill();
  }

  // The port opens before JetStream has recovered its streams, so ask the JetStream API itself.
  private async jetStreamReady(): Promise<boolean> {
    try {
      const nc = await connect({ servers: this.url, reconnect: false, timeout: 2_000 });
      try {
        await jetstreamManager(nc, { timeout: 2_000 });
        return true;
      } finally {
        await nc.close();
      }
    } catch {
      return false;
    }
  }
}

export function startNats(): Promise<NatsServer> {
  return NatsServer.launch();
}
