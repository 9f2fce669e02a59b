import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';
import { setTimeout as sleep } from 'node:timers/promises';

const ROOT = path.resolve(import.meta.dirname, '../..');
/**
 * How the daemons are run: the TypeScript sources through tsx, or with
 * NILUS_CLI=dist the compiled build users run (the bench does: no transpiling
 * at start-up, which would count against a bulk load's time). Both with the
 * V8 flag the installed `nilus` runs with (see bin/nilus.js).
 */
const CLI = ['--single-threaded-gc', ...(process.env.NILUS_CLI === 'dist' ? [path.join(ROOT, 'bin/nilus.js')] : ['--import', 'tsx', path.join(ROOT, 'shared/cli/main.ts')])];

export function writeConfig(config: unknown, name = 'nilus.yaml'): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'nilus-cfg-'));
  const file = path.join(dir, name);
  writeFileSync(file, typeof config === 'string' ? config : stringify(config));
  return file;
}

/** Runs the CLI to completion: exit code and output. */
export function runCli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...CLI, ...args], { cwd: ROOT, env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

/** A capture or sink daemon in its own process, so a test can kill -9 it. */
export class Daemon {
  private child: ChildProcess | null = null;
  log = '';

  constructor(
    readonly command: 'capture' | 'sink',
    readonly configFile: string,
  ) {}

  start(): this {
    const child = spawn(process.execPath, [...CLI, this.command, '-c', this.configFile], { cwd: ROOT, env: { ...process.env, NILUS_LOG_LEVEL: process.env.NILUS_LOG_LEVEL ?? 'info' } });
    child.stdout!.on('data', (d) => (this.log += d));
    child.stderr!.on('data', (d) => (this.log += d));
    this.child = child;
    return this;
  }

  get running(): boolean {
    return this.child !== null && this.child.exitCode === null && this.child.signalCode === null;
  }

  async kill9(): Promise<void> {
    await this.signal('SIGKILL');
  }

  async stop(): Promise<number | null> {
    return this.signal('SIGTERM');
  }

  private async signal(sig: NodeJS.Signals): Promise<number | null> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return child?.exitCode ?? null;
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    child.kill(sig);
    const code = await Promise.race([exited, sleep(15_000).then(() => 'timeout' as const)]);
    if (code === 'timeout') {
      child.kill('SIGKILL');
      await exited;
      throw new Error(`${this.command} did not exit within 15 s of ${sig}\n${this.log.slice(-3000)}`);
    }
    this.child = null;
    return code;
  }
}

/** Waits until `difference()` finds none (null); on timeout the error also shows the last difference. */
export async function waitNoDifference(what: string, difference: () => Promise<string | null>, timeoutMs: number, daemons: Daemon[]): Promise<void> {
  let last: string | null = null;
  try {
    await waitFor(what, async () => (last = await difference()) === null, timeoutMs, daemons);
  } catch (e) {
    throw new Error(`${(e as Error).message}\nlast difference: ${last}`);
  }
}

export async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs = 60_000, daemons: Daemon[] = []): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown = null;
  while (Date.now() < deadline) {
    try {
      if (await check()) return;
    } catch (e) {
      lastError = e;
    }
    await sleep(200);
  }
  const logs = daemons.map((d) => `--- ${d.command} log tail ---\n${d.log.slice(-4000)}`).join('\n');
  throw new Error(`timed out waiting for ${what}${lastError ? ` (last error: ${(lastError as Error).message})` : ''}\n${logs}`);
}
