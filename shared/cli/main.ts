import { setFlagsFromString } from 'node:v8';
import { Command } from 'commander';
import { isNilusError } from '../errors.js';
import { redactUris } from '../log.js';
import { captureCommand, sinkCommand, statusCommand, validateCommand } from './commands.js';

// Daemons decode and build many short-lived rows per batch: a young generation larger than
// V8's default 16 MB lets most of them die there instead of being copied, halving GC time.
setFlagsFromString('--max-semi-space-size=64');

const program = new Command('nilus').description('Change data capture from databases into destinations through NATS JetStream').showHelpAfterError();
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
