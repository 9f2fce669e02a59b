import { describeType } from '../../logical-types.js';
import type { AlgorithmDef, ColumnContext, MaskFn } from '../types.js';
import { unitFromWords, wordsOf } from '../prf.js';
import { civilFromDays, daysFromCivil, formatDate, formatYear, PAD2, splitDate } from '../values.js';
import { INT32, isDateLike, same } from './common.js';

function dateInput(ctx: ColumnContext): string | null {
  return isDateLike(ctx.type) ? null : `${ctx.algorithm} applies to date and timestamp columns, not to ${describeType(ctx.type)}`;
}

function makeShift(ctx: ColumnContext): MaskFn {
  const days = ctx.param as number;
  const words = wordsOf(ctx.prf, `date_shift|${ctx.column}|`);
  return (v) => {
    const s = v as string;
    const p = splitDate(s);
    if (!p) return s; // ±infinity
    // The shift depends on the whole value: equal values shift equally; the time of day and zone are kept.
    const shift = Math.floor(unitFromWords(words(s)) * (2 * days + 1)) - days;
    const [y, m, d] = civilFromDays(daysFromCivil(p.y, p.m, p.d) + shift);
    return formatDate(y, m, d) + p.rest;
  };
}

export const dates: AlgorithmDef[] = [
  {
    name: 'date_shift',
    param: 'count',
    salted: true,
    summary: 'moved by up to ±D days (time of day kept), fixed per input value by the salt',
    output: (ctx) => dateInput(ctx) ?? same(ctx),
    make: makeShift,
  },
  {
    name: 'year_only',
    param: 'none',
    summary: 'the year as an integer (astronomical: 44 BC is -43); the column becomes integer; ±infinity becomes NULL',
    output: (ctx) => dateInput(ctx) ?? { ...INT32, nullable: true },
    make: () => (v) => splitDate(v as string)?.y ?? null,
  },
  {
    name: 'month_year',
    param: 'none',
    summary: 'the first day of the month (00:00:00 for timestamps), same type',
    output: (ctx) => dateInput(ctx) ?? same(ctx),
    make: (ctx) => {
      const suffix = '-01' + (ctx.type.kind === 'date' ? '' : ctx.type.kind === 'timestamptz' ? 'T00:00:00Z' : 'T00:00:00');
      return (v) => {
        const p = splitDate(v as string);
        return p ? formatYear(p.y) + '-' + PAD2[p.m] + suffix : v;
      };
    },
  },
];
