import type { LogicalType } from '../logical-types.js';
import type { Prf } from './prf.js';

/** Masks one non-NULL value. */
export type MaskFn = (value: unknown) => unknown;

/** What a parameter must look like. */
export type ParamKind =
  /** no parameter */
  | 'none'
  /** a whole number ≥ 1 */
  | 'count'
  /** a positive decimal ("5000", "0.5") */
  | 'step'
  /** a fraction in (0, 1] */
  | 'fraction'
  /** a ${env:…}/${file:…} reference (resolved before the masker sees it) */
  | 'secret'
  /** any non-empty text */
  | 'text';

/** The destination column of a masked column: a new type, or `null` for "as the source's". */
export interface OutputColumn {
  type: LogicalType;
  /** Native type to announce; the source's own when the type is unchanged. */
  nativeType: string;
  /** Set when the mask can turn a value into NULL (year_only of ±infinity). */
  nullable?: boolean;
}

export interface ColumnContext {
  algorithm: string;
  /** The parsed parameter (see ParamKind): a number for count/fraction, a string otherwise; undefined when absent. */
  param: string | number | undefined;
  schema: string;
  table: string;
  column: string;
  /** The source column's type. */
  type: LogicalType;
  nativeType: string;
  /** Keyed by mask.salt; present when the algorithm uses the salt. */
  prf: Prf;
  /** Keyed by the hmac parameter (hmac only). */
  secretPrf: Prf;
  /** Sequential numbers already resolved (sequential only); see sequential.ts. */
  sequential: (canonicalValue: string) => bigint;
}

export interface AlgorithmDef {
  name: string;
  param: ParamKind;
  /** May the parameter be left out? */
  paramOptional?: boolean;
  /** Needs mask.salt. */
  salted?: boolean;
  /** Distinct inputs stay distinct (with overwhelming probability): allowed on primary-key columns. */
  keySafe?: boolean;
  /** Resolved asynchronously before a batch is masked (sequential). */
  async?: boolean;
  summary: string;
  /** The destination column for a source column, or an error message saying why the algorithm does not apply. */
  output(ctx: ColumnContext): OutputColumn | string;
  make(ctx: ColumnContext): MaskFn;
}
