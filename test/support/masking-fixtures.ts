import type { TableSchema } from '../../shared/logical-types.js';

/** A source table with a key and two PII columns, as the masking tests describe it. */
export const people: TableSchema = {
  schema: 'public',
  table: 'people',
  version: 3,
  primaryKey: ['id'],
  columns: [
    { name: 'id', type: { kind: 'int64' }, nullable: false, nativeType: 'bigint' },
    { name: 'email', type: { kind: 'text' }, nullable: true, nativeType: 'text' },
    { name: 'salary', type: { kind: 'int32' }, nullable: true, nativeType: 'integer' },
  ],
};
