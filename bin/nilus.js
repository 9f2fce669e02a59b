#!/usr/bin/env -S node --single-threaded-gc
// --single-threaded-gc: the daemons usually share a few cores with a database; V8's parallel
// scavenger threads then compete with it (measured on 2 cores: masked sink ~0.74 -> ~0.85 of the
// unmasked one's rows/s, and less CPU per row). The flag only works on the command line.
// Installed or in the container: the compiled CLI. From a checkout: `npm run build` first, or `npx tsx shared/cli/main.ts`.
import '../dist/shared/cli/main.js';
