// Child-process and temp-dir plumbing shared by the server harnesses.
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { accessSync, closeSync, constants, mkdtempSync, openSync, readFileSync, rmSync, statSync } from 'node:fs';
import { readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from './free-port.js';

const liveProcesses = new Set<ServerProcess>();
const liveTempDirs = new Set<string>();

// A test run that crashes or forgets stop() must not leave servers or data dirs behind.
process.on('exit', () => {
  for (const proc of liveProcesses) {
    try {
      process.kill(proc.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  for (const dir of liveTempDirs) {
    try {
      rmSync(dir, { recursive: true, force: true });
    } catch {
      // best effort: a dying child may still be writing into it
    }
  }
});

export function makeTempDir(prefix: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  liveTempDirs.add(dir);
  return dir;
}

export async function removeTempDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
  liveTempDirs.delete(dir);
}

// PATH in CI often lacks the sbin dirs where Debian puts daemons (nats-server, mariadbd).
export function findBinary(names: string[]): string {
  const dirs = [...(process.env.PATH ?? '').split(path.delimiter), '/usr/local/sbin', '/usr/sbin', '/sbin'];
  for (const name of names) {
    for (const dir of dirs) {
      if (!dir) continue;
      const candidate = path.join(dir, name);
      if (isExecutable(candidate)) return candidate;
    }
  }
  throw new Error(`none of ${names.join(', ')} found on PATH or in the sbin dirs; run scripts/setup.sh`);
}

export function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

// setpriv's parent-death signal kills the server even if this process is SIGKILLed,
// where process.on('exit') never runs. Used only when util-linux provides it.
let setpriv: string | null | undefined;
function parentDeathWrapper(): string | null {
  if (setpriv === undefined) {
    try {
      setpriv = findBinary(['setpriv']);
    } catch {
      setpriv = null;
    }
  }
  return setpriv;
}

export interface RunOptions {
  uid?: number;
  gid?: number;
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
}

/** Runs a command to completion; rejects with its output on a non-zero exit. */
export function run(cmd: string, args: string[], opts: RunOptions = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      cmd,
      args,
      { uid: opts.uid, gid: opts.gid, env: opts.env ?? process.env, timeout: opts.timeoutMs ?? 60_000, maxBuffer: 16 * 1024 * 1024 },
      (err, stdout, stderr) => {
        if (err) reject(new Error(`${path.basename(cmd)} ${args.join(' ')} failed: ${err.message}\n${stdout}${stderr}`.trimEnd()));
        else resolve(stdout);
      },
    );
  });
}

function logTail(logFile: string, lines = 40): string {
  try {
    return readFileSync(logFile, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

export interface SpawnOptions {
  /** stdout and stderr are appended here, so restarts keep one log. */
  logFile: string;
  uid?: number;
  gid?: number;
  env?: NodeJS.ProcessEnv;
}

export interface StopOptions {
  /** Keep the data directory so start() can bring the same server back. */
  keepData?: boolean;
}

/** A long-running server child whose output goes straight to a log file. */
export class ServerProcess {
  readonly pid: number;
  readonly logFile: string;
  private readonly child: ChildProcess;
  private readonly exited: Promise<void>;
  private exitReason: string | undefined;

  constructor(
    readonly name: string,
    cmd: string,
    args: string[],
    opts: SpawnOptions,
  ) {
    this.logFile = opts.logFile;
    const wrapper = parentDeathWrapper();
    const [file, argv] = wrapper ? [wrapper, ['--pdeathsig', 'KILL', '--', cmd, ...args]] : [cmd, args];
    // The child gets its own fd to the log; no pipes keep this process busy.
    const fd = openSync(opts.logFile, 'a');
    try {
      this.child = spawn(file, argv, { stdio: ['ignore', fd, fd], uid: opts.uid, gid: opts.gid, env: opts.env ?? process.env });
    } finally {
      closeSync(fd);
    }
    this.exited = new Promise((resolve) => {
      this.child.once('exit', (code, signal) => {
        this.exitReason = signal ? `killed by ${signal}` : `exited with code ${code}`;
        liveProcesses.delete(this);
        resolve();
      });
      this.child.once('error', (err) => {
        this.exitReason = `failed to start: ${err.message}`;
        liveProcesses.delete(this);
        resolve();
      });
    });
    if (this.child.pid === undefined) throw new Error(`${name}: failed to spawn ${cmd}`);
    this.pid = this.child.pid;
    liveProcesses.add(this);
  }

  get running(): boolean {
    return this.exitReason === undefined;
  }

  /** Why the process ended, or undefined while it runs. */
  get exitDescription(): string | undefined {
    return this.exitReason;
  }

  /** Resolves true once exited, false if still running after timeoutMs. */
  async waitForExit(timeoutMs = Infinity): Promise<boolean> {
    if (!this.running) return true;
    if (timeoutMs === Infinity) {
      await this.exited;
      return true;
    }
    const ac = new AbortController();
    const timedOut = sleep(timeoutMs, false, { signal: ac.signal }).catch(() => false);
    const result = await Promise.race([this.exited.then(() => true), timedOut]);
    ac.abort();
    return result;
  }

  /** Graceful shutdown via `signal`; escalates to kill() so callers never hang. */
  async stop(signal: NodeJS.Signals, graceMs = 10_000): Promise<void> {
    if (!this.running) return;
    this.child.kill(signal);
    if (!(await this.waitForExit(graceMs))) await this.kill();
  }

  /**
   * SIGKILLs the process and everything it forked, as a machine crash would.
   * Orphaned children (e.g. PostgreSQL backends) would otherwise hold shared
   * memory and stop a restart on the same data directory.
   */
  async kill(): Promise<void> {
    if (!this.running) return;
    // Freeze it first so it cannot fork while we collect its descendants.
    trySignal(this.pid, 'SIGSTOP');
    const pids = [this.pid, ...(await descendants(this.pid))];
    for (const pid of pids) trySignal(pid, 'SIGKILL');
    await this.waitForExit();
    await waitForPidsGone(pids.slice(1), 10_000);
  }
}

/** Polls `ready` until it returns true; fails fast if the server dies, with its log tail. */
export async function waitUntilReady(proc: ServerProcess, ready: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (!proc.running) {
      throw new ServerStartError(`${proc.name} ${proc.exitDescription} before accepting connections`, proc.logFile);
    }
    if (await ready()) return;
    if (Date.now() > deadline) {
      throw new ServerStartError(`${proc.name} not ready after ${timeoutMs} ms`, proc.logFile);
    }
    await sleep(100);
  }
}

export class ServerStartError extends Error {
  readonly log: string;
  constructor(message: string, logFile: string) {
    const log = logTail(logFile);
    super(`${message}; log ${logFile} ends with:\n${log}`);
    this.log = log;
  }

  /** Another process grabbed the port between freePort() and bind: worth retrying. */
  get portTaken(): boolean {
    return /address already in use/i.test(this.log);
  }
}

function trySignal(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // already gone
  }
}

async function procStat(pid: number): Promise<{ state: string; ppid: number } | undefined> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    // comm (field 2) may contain spaces and parens; the fields after its last ')' are fixed.
    const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { state: state!, ppid: Number(ppid) };
  } catch {
    return undefined;
  }
}

async function descendants(root: number): Promise<number[]> {
  let entries: string[];
  try {
    entries = await readdir('/proc');
  } catch {
    return []; // no procfs: only the root gets killed
  }
  const children = new Map<number, number[]>();
  for (const entry of entries) {
    const pid = Number(entry);
    if (!Number.isInteger(pid)) continue;
    const stat = await procStat(pid);
    if (!stat) continue;
    children.set(stat.ppid, [...(children.get(stat.ppid) ?? []), pid]);
  }
  const result: number[] = [];
  const queue = [root];
  while (queue.length > 0) {
    for (const child of children.get(queue.shift()!) ?? []) {
      result.push(child);
      queue.push(child);
    }
  }
  return result;
}

// Zombies count as gone: in containers PID 1 may never reap reparented children.
async function waitForPidsGone(pids: number[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (const pid of pids) {
    for (;;) {
      const stat = await procStat(pid);
      if (!stat || stat.state === 'Z') break;
      if (Date.now() > deadline) throw new Error(`process ${pid} survived SIGKILL for ${timeoutMs} ms`);
      await sleep(20);
    }
  }
}

/**
 * Starts a server on a fresh port, retrying with another port when something
 * else bound it first. `launch` must return a ready server or clean up and throw.
 */
export async function launchOnFreePort<T>(launch: (port: number) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await launch(await freePort());
    } catch (err) {
      if (!(err instanceof ServerStartError && err.portTaken) || attempt >= 3) throw err;
    }
  }
}

/**
 * start/stop/kill, written once for every harness server: a subclass says how
 * to spawn its process and how to tell it is ready.
 */
export abstract class ManagedServer {
  private proc: ServerProcess | undefined;
  /** Temp dir holding the server's data and log; removed by stop() unless keepData. */
  abstract readonly baseDir: string;
  /** The signal of a clean shutdown (PostgreSQL's fast shutdown is SIGINT). */
  protected abstract readonly stopSignal: NodeJS.Signals;
  protected readonly readyTimeoutMs: number = 20_000;
  protected abstract spawn(): ServerProcess;
  protected abstract isReady(): Promise<boolean>;

  /** Starts (or restarts, on the same port and data) and waits until it serves. */
  async start(): Promise<void> {
    if (this.proc?.running) throw new Error(`${this.proc.name} is already running`);
    const proc = this.spawn();
    this.proc = proc;
    try {
      await waitUntilReady(proc, () => this.isReady(), this.readyTimeoutMs);
    } catch (err) {
      await proc.kill();
      throw err;
    }
  }

  /** Clean shutdown, SIGKILL after 10 s; removes the data unless keepData. */
  async stop(opts: StopOptions = {}): Promise<void> {
    await this.proc?.stop(this.stopSignal);
    if (!opts.keepData) await removeTempDir(this.baseDir);
  }

  /** SIGKILL, as a crash would; the data stays for start(). */
  async kill(): Promise<void> {
    await this.proc?.kill();
  }
}
