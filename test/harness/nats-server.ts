// A throwaway nats-server with JetStream, whose store survives kill()/start().
import path from 'node:path';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { findBinary, launchOnFreePort, makeTempDir, ManagedServer, removeTempDir, ServerProcess } from './process.js';

export class NatsServer extends ManagedServer {
  readonly host = '127.0.0.1';
  protected readonly stopSignal = 'SIGTERM' as const;

  private constructor(
    readonly port: number,
    readonly baseDir: string,
    /** JetStream store (`-sd`); kept across kill()/start(). */
    readonly storeDir: string,
    readonly logFile: string,
    private readonly bin: string,
  ) {
    super();
  }

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

  protected spawn(): ServerProcess {
    const args = ['-a', this.host, '-p', String(this.port), '-js', '-sd', this.storeDir];
    return new ServerProcess('nats-server', this.bin, args, { logFile: this.logFile });
  }

  protected isReady(): Promise<boolean> {
    return this.jetStreamReady();
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
