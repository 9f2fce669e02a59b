#!/usr/bin/env node
// Installed or in the container: the compiled CLI. From a checkout: `npm run build` first, or `npx tsx shared/cli/main.ts`.
import '../dist/shared/cli/main.js';
