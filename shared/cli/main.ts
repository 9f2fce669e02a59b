import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Command } from 'commander';
import { isNilusError } from '../errors.js';
import { redactUris } from '../log.js';
import { captureCommand, sinkCommand, statusCommand, validateCommand } from './commands.js';

/** The version in Nilus's package.json: two levels up from the sources, three from the build (dist/shared/cli). */
function nilusVersion(): string {
  for (let dir = import.meta.dirname; ; dir = path.dirname(dir)) {
    try {
      const pkg = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'nilus' && pkg.version) return pkg.version;
    } catch {
      // no package.json here: look one level up
    }
    if (path.dirname(dir) === dir) return 'unknown';
  }
}

const program = new Command('nilus').description('Change data capture from databases into destinations through NATS JetStream').version(nilusVersion(), '-V, --version').showHelpAfterError();
const withConfig = (c: Command) => c.requiredOption('-c, --config <file>', 'YAML config file');

withConfig(program.command('capture').description('run a capture daemon: snapshot, then stream changes into JetStream')).action((o) => captureCommand(o.config));
withConfig(program.command('sink').description('run a sink daemon: apply a source stream to a destination')).action((o) => sinkCommand(o.config));
withConfig(program.command('validate').description('check a config file and that its source can be captured')).action((o) => validateCommand(o.config));
withConfig(program.command('status').description('stream depth, consumer lag and source lag')).action((o) => statusCommand(o.config));

try {
  await program.parseAsync(process.argv);
  process.exit(0);
} catch (e) {
  if (isNilusError(e)) {
    // A user's mistake or an outage: one paragraph, no stack trace.
    process.stderr.write(`nilus: ${redactUris(e.describe())}\n`);
    process.exit(e.code.startsWith('CONFIG') ? 2 : 1);
  }
  process.stderr.write(`nilus: unexpected error (a bug; please report it):\n${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(70);
}
