/**
 * Column masking: one registry of algorithms (registry.ts, algorithms/*),
 * applied by the sink before writing and optionally by a capture, for values
 * that must never leave the source. Every algorithm is deterministic: what
 * looks random is derived from a keyed PRF (prf.ts) over the value, and
 * `sequential` keeps its numbers in a JetStream KV bucket (sequential.ts).
 * See config/README.md (masking) for the user's view.
 */
export { createMasker, type Masker, type MaskItem, type MaskSettings, type MaskedColumn } from './masker.js';
export { maskConfigSchema, maskOptions, maskOptionsSchema, maskSettings, settingsFromConfig, DEFAULT_SEQUENTIAL_BUCKET, type MaskConfig, type MaskOptions } from './config.js';
export { parseMaskSpec, type MaskSpec } from './params.js';
export { registry, algorithmNames } from './registry.js';
export { kvSequentialStore, memorySequentialStore, sequentialStoreOn, type SequentialStore } from './sequential.js';
export { checkMasksAgainst, type DescribeTable } from './validate.js';
export { createPrf } from './prf.js';
