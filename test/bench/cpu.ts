// Per-phase CPU use of every process this bench started (daemons, servers and
// their backends, pgbench, psql), read from /proc: which one is the bottleneck.
// `ps -o pcpu` averages over a process's whole life, so it cannot tell phases apart.
import { readdirSync, readFileSync } from 'node:fs';

const TICKS_PER_SEC = 100; // USER_HZ; 100 on every Linux that matters

interface Seen {
  label: string;
  ticks: number;
}

export interface PhaseCpu {
  phase: string;
  seconds: number;
  /** Cores used per process group (cpu-seconds / wall seconds), largest first. */
  cores: Record<string, number>;
  total: number;
}

export class CpuSampler {
  private readonly seen = new Map<number, Seen>();
  private readonly timer: NodeJS.Timeout | null;
  private phase: { name: string; start: number; base: Map<number, number> } | null = null;
  readonly phases: PhaseCpu[] = [];

  constructor(private readonly everyMs = 250) {
    this.timer = process.platform === 'linux' ? setInterval(() => this.sample(), everyMs) : null;
    this.timer?.unref();
  }

  begin(name: string): void {
    if (this.phase) this.end();
    this.sample();
    this.phase = { name, start: performance.now(), base: new Map([...this.seen].map(([pid, s]) => [pid, s.ticks])) };
  }

  end(): PhaseCpu | null {
    const p = this.phase;
    if (!p) return null;
    this.phase = null;
    this.sample();
    const seconds = (performance.now() - p.start) / 1000;
    const byLabel = new Map<string, number>();
    for (const [pid, s] of this.seen) {
      const d = s.ticks - (p.base.get(pid) ?? 0);
      if (d > 0) byLabel.set(s.label, (byLabel.get(s.label) ?? 0) + d);
    }
    const cores: Record<string, number> = {};
    let total = 0;
    for (const [label, ticks] of [...byLabel].sort((a, b) => b[1] - a[1])) {
      const c = ticks / TICKS_PER_SEC / seconds;
      total += c;
      if (c >= 0.01) cores[label] = Math.round(c * 100) / 100;
    }
    const r = { phase: p.name, seconds: Math.round(seconds * 10) / 10, cores, total: Math.round(total * 100) / 100 };
    this.phases.push(r);
    return r;
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  private sample(): void {
    if (process.platform !== 'linux') return;
    const procs = new Map<number, { ppid: number; ticks: number }>();
    for (const name of readdirSync('/proc')) {
      const pid = Number(name);
      if (!Number.isInteger(pid)) continue;
      try {
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
        const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        procs.set(pid, { ppid: Number(f[1]), ticks: Number(f[11]) + Number(f[12]) });
      } catch {
        // exited between readdir and read
      }
    }
    // Only this process and its descendants.
    const children = new Map<number, number[]>();
    for (const [pid, p] of procs) children.set(p.ppid, [...(children.get(p.ppid) ?? []), pid]);
    const todo = [process.pid];
    while (todo.length) {
      const pid = todo.pop()!;
      const p = procs.get(pid);
      if (!p) continue;
      const prev = this.seen.get(pid);
      // A fresh backend shows the postmaster's title until it has set its own: label it again until then.
      const label = prev && prev.label !== PG_BACKGROUND ? prev.label : labelOf(pid);
      this.seen.set(pid, { label, ticks: p.ticks });
      todo.push(...(children.get(pid) ?? []));
    }
  }
}

const PG_BACKGROUND = 'pg background (checkpointer, walwriter, …)';

function labelOf(pid: number): string {
  if (pid === process.pid) return 'bench process (writer/poller)';
  let args: string[] = [];
  let comm = '';
  try {
    args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
    comm = readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return 'other';
  }
  const cmd = args.join(' ');
  // The daemons run from the sources (tsx) or the build (bin/nilus.js).
  if (cmd.includes('cli/main.ts') || cmd.includes('bin/nilus.js')) return args.includes('capture') ? 'nilus capture (node)' : args.includes('sink') ? 'nilus sink (node)' : 'nilus cli';
  if (comm === 'nats-server') return 'nats-server';
  if (comm === 'pgbench') return 'pgbench';
  if (comm === 'psql') return 'psql';
  if (cmd.startsWith('postgres: ')) {
    const rest = cmd.slice('postgres: '.length);
    if (rest.startsWith('walsender')) return 'pg walsender (logical decoding)';
    if (rest.startsWith('logical replication launcher')) return 'pg native LR launcher';
    if (rest.startsWith('logical replication')) return 'pg native LR apply worker';
    // "<user> <db> <host>(<port>) <state>"
    const m = /^\S+ (\S+) \d+\.\d+\.\d+\.\d+\(\d+\)/.exec(rest);
    if (m) return `pg backends db=${m[1]}`;
    return PG_BACKGROUND;
  }
  if (comm === 'postgres') return PG_BACKGROUND;
  if (comm === 'bash' || comm === 'sh') return 'shell';
  return comm || 'other';
}

export function formatCpu(p: PhaseCpu): string {
  const parts = Object.entries(p.cores).map(([k, v]) => `${k} ${v.toFixed(2)}`);
  return `  cpu ${p.phase} (${p.seconds} s, ${p.total.toFixed(2)} of 2 cores): ${parts.join(', ')}`;
}
