import { algorithm, algorithmNames } from './registry.js';
import type { AlgorithmDef } from './types.js';
import { parseDecimal } from './values.js';

/** One parsed `algorithm[:parameter]`. The parameter of hmac is a secret: never put it in a message. */
export interface MaskSpec {
  def: AlgorithmDef;
  param: string | number | undefined;
}

const PARAM_WORDS: Record<AlgorithmDef['param'], string> = {
  none: 'no parameter',
  count: 'a whole number ≥ 1',
  step: 'a positive number such as 5000 or 0.5',
  fraction: 'a fraction in (0, 1], such as 0.1',
  secret: 'a ${env:NAME} or ${file:path} reference',
  text: 'a value',
};

const usage = (d: AlgorithmDef) => (d.param === 'none' ? d.name : `${d.name}${d.paramOptional ? '[' : ''}:<${PARAM_WORDS[d.param]}>${d.paramOptional ? ']' : ''}`);

/**
 * Parses `algorithm[:parameter]`. Returns a message (without the parameter's
 * value when it may be a secret) for an unknown algorithm, a missing or
 * unexpected parameter, or one of the wrong kind.
 */
export function parseMaskSpec(spec: string): MaskSpec | string {
  const colon = spec.indexOf(':');
  const name = (colon < 0 ? spec : spec.slice(0, colon)).trim();
  const raw = colon < 0 ? undefined : spec.slice(colon + 1);
  const def = algorithm(name);
  if (!def) return `unknown mask algorithm "${name}" (known: ${algorithmNames.join(', ')})`;
  if (def.param === 'none') {
    if (raw !== undefined) return `${name} takes no parameter`;
    return { def, param: undefined };
  }
  if (raw === undefined || raw.trim() === '') {
    if (def.paramOptional) return { def, param: undefined };
    return `${name} needs a parameter: write ${usage(def)}`;
  }
  const p = def.param === 'secret' || def.param === 'text' ? raw : raw.trim();
  switch (def.param) {
    case 'count': {
      if (!/^\d+$/.test(p) || Number(p) < 1 || Number(p) > 1_000_000) return `${name}:${p}: the parameter must be ${PARAM_WORDS.count} (at most 1000000)`;
      return { def, param: Number(p) };
    }
    case 'step': {
      const d = parseDecimal(p);
      if (!d || d.units <= 0n || /^[+]/.test(p)) return `${name}:${p}: the parameter must be ${PARAM_WORDS.step}`;
      return { def, param: p };
    }
    case 'fraction': {
      const f = Number(p);
      if (!/^\d*\.?\d+$/.test(p) || !(f > 0 && f <= 1)) return `${name}:${p}: the parameter must be ${PARAM_WORDS.fraction}`;
      return { def, param: f };
    }
    case 'text':
      if (def.name === 'sequential' && !/^[A-Za-z0-9_-]{1,64}$/.test(p)) return `sequential:${p}: the scope must be letters, digits, "_" or "-"`;
      return { def, param: p };
    default:
      return { def, param: p };
  }
}

/** `${env:NAME}` or `${file:path}`, the whole value. */
export const WHOLE_REFERENCE = /^\$\{(env|file):[^}]+\}$/;
