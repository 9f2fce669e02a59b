import type { LogicalType } from '../../logical-types.js';
import { describeType } from '../../logical-types.js';
import type { ColumnContext, OutputColumn } from '../types.js';

export const TEXT: OutputColumn = { type: { kind: 'text' }, nativeType: 'text' };
export const INT32: OutputColumn = { type: { kind: 'int32' }, nativeType: 'integer' };
export const INT64: OutputColumn = { type: { kind: 'int64' }, nativeType: 'bigint' };
export const UUID: OutputColumn = { type: { kind: 'uuid' }, nativeType: 'uuid' };

export const same = (ctx: ColumnContext): OutputColumn => ({ type: ctx.type, nativeType: ctx.nativeType });

export const isInt = (t: LogicalType) => t.kind === 'int16' || t.kind === 'int32' || t.kind === 'int64' || t.kind === 'uint64';
export const isFloat = (t: LogicalType) => t.kind === 'float32' || t.kind === 'float64';
export const isNumeric = (t: LogicalType) => isInt(t) || isFloat(t) || t.kind === 'decimal';
export const isDateLike = (t: LogicalType) => t.kind === 'date' || t.kind === 'timestamp' || t.kind === 'timestamptz';

export const typeName = (ctx: ColumnContext) => `${describeType(ctx.type)} (${ctx.nativeType})`;

/** Text out: the column keeps its type when it is text already and the output is never longer. */
export function textOut(ctx: ColumnContext, sameLength: boolean, maxLength?: number): OutputColumn {
  if (ctx.type.kind === 'text') {
    const bound = ctx.type.length;
    if (sameLength || bound === undefined || (maxLength !== undefined && maxLength <= bound)) return same(ctx);
  }
  return TEXT;
}

const INT_RANGE: Record<string, [bigint, bigint]> = {
  int16: [-32768n, 32767n],
  int32: [-2147483648n, 2147483647n],
  int64: [-(2n ** 63n), 2n ** 63n - 1n],
  uint64: [0n, 2n ** 64n - 1n],
};

export function intRange(t: LogicalType): [bigint, bigint] {
  return INT_RANGE[t.kind] ?? INT_RANGE.int64;
}

/** An integer value (number or bigint) as bigint. */
export const toBig = (v: unknown): bigint => (typeof v === 'bigint' ? v : BigInt(Math.trunc(Number(v))));

/** Back to the representation the input had (int16/int32 as number, int64 as bigint). */
export const fromBig = (b: bigint, like: unknown): unknown => (typeof like === 'bigint' ? b : Number(b));

export function clamp(b: bigint, [lo, hi]: [bigint, bigint]): bigint {
  return b < lo ? lo : b > hi ? hi : b;
}
