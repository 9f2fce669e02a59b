import { dates } from './algorithms/dates.js';
import { format } from './algorithms/format.js';
import { irreversible } from './algorithms/irreversible.js';
import { numeric } from './algorithms/numeric.js';
import { partial } from './algorithms/partial.js';
import { tokens } from './algorithms/tokens.js';
import type { AlgorithmDef } from './types.js';

/** Every mask algorithm, by name: the one registry the sink, the capture and `nilus validate` use. */
export const registry: ReadonlyMap<string, AlgorithmDef> = new Map([...irreversible, ...format, ...partial, ...tokens, ...numeric, ...dates].map((a) => [a.name, a]));

export const algorithmNames = [...registry.keys()];

export function algorithm(name: string): AlgorithmDef | undefined {
  return registry.get(name);
}
