import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ColumnSchema, LogicalType, TableSchema } from '../../shared/logical-types.js';
import { addColumnsSql, createTableSql, keyColumnLengths, planColumn, planTable, type MySqlDialect } from '../../sink/mysql/mysql-ddl.js';
import { extraColumns } from '../../sink/runtime/table-sink.js';
import { mysqlSinkOptions } from '../../sink/mysql/mysql-sink-options.js';

const maria: MySqlDialect = { flavor: 'mariadb', textCollation: 'utf8mb4_nopad_bin' };
const col = (name: string, type: LogicalType): ColumnSchema => ({ name, type, nullable: true, nativeType: '' });
const sqlType = (type: LogicalType, keyChars?: number) => planColumn(col('c', type), keyChars, maria).sqlType;
const table = (columns: ColumnSchema[], primaryKey: string[]): TableSchema => ({ schema: 'public', table: 't', columns, primaryKey, version: 1 });

describe('MySQL sink: logical type → column type', () => {
  it('maps every logical type losslessly', () => {
    const expected: [LogicalType, string][] = [
      [{ kind: 'bool' }, 'BOOLEAN'],
      [{ kind: 'int16' }, 'SMALLINT'],
      [{ kind: 'int32' }, 'INT'],
      [{ kind: 'int64' }, 'BIGINT'],
      [{ kind: 'uint64' }, 'BIGINT UNSIGNED'],
      [{ kind: 'float32' }, 'DOUBLE'],
      [{ kind: 'float64' }, 'DOUBLE'],
      [{ kind: 'decimal', precision: 40, scale: 10 }, 'DECIMAL(40,10)'],
      [{ kind: 'decimal', precision: 65, scale: 30 }, 'DECIMAL(65,30)'],
      [{ kind: 'decimal', precision: 66, scale: 2 }, 'LONGTEXT CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin'],
      [{ kind: 'decimal', precision: 40, scale: 31 }, 'LONGTEXT CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin'],
      [{ kind: 'decimal' }, 'LONGTEXT CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin'],
      [{ kind: 'text', length: 40 }, 'LONGTEXT CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin'],
      [{ kind: 'bytes' }, 'LONGBLOB'],
      [{ kind: 'uuid' }, 'CHAR(36) CHARACTER SET ascii COLLATE ascii_bin'],
      [{ kind: 'json' }, 'JSON'],
      [{ kind: 'date' }, 'DATE'],
      [{ kind: 'time' }, 'TIME(6)'],
      [{ kind: 'timestamp' }, 'DATETIME(6)'],
      [{ kind: 'timestamptz' }, 'DATETIME(6)'],
      [{ kind: 'interval' }, 'VARCHAR(100) CHARACTER SET ascii COLLATE ascii_bin'],
      [{ kind: 'enum', values: ['a', 'b'] }, 'VARCHAR(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin'],
      [{ kind: 'array', of: { kind: 'int32' } }, 'JSON'],
    ];
    for (const [type, sql] of expected) assert.equal(sqlType(type), sql, JSON.stringify(type));
  });

  it('gives key columns MySQL cannot index a length that fits the 3072-byte key limit', () => {
    const one = table([col('k', { kind: 'text' })], ['k']);
    assert.deepEqual([...keyColumnLengths(one)], [['k', 768]]);
    assert.equal(planTable(one, [], maria).columns[0].sqlType, 'VARCHAR(768) CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin');
    assert.equal(planTable(table([col('k', { kind: 'bytes' })], ['k']), [], maria).columns[0].sqlType, 'VARBINARY(3072)');
    assert.equal(planTable(table([col('k', { kind: 'json' })], ['k']), [], maria).columns[0].sqlType, 'VARCHAR(768) CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin');
    // A declared length is kept when it fits; the rest share what is left after fixed-size columns.
    const mixed = table([col('id', { kind: 'int64' }), col('code', { kind: 'text', length: 10 }), col('a', { kind: 'text' }), col('b', { kind: 'bytes' })], ['id', 'code', 'a', 'b']);
    const lengths = keyColumnLengths(mixed);
    assert.equal(lengths.get('code'), 10);
    assert.equal(lengths.get('id'), undefined);
    const bytes = 8 + 10 * 4 + lengths.get('a')! * 4 + lengths.get('b')!;
    assert.ok(bytes <= 3072 && bytes > 3000, `key takes ${bytes} bytes`);
    // Fixed-size key columns keep their type.
    assert.equal(planTable(table([col('id', { kind: 'int64' })], ['id']), [], maria).columns[0].sqlType, 'BIGINT');
  });

  it('creates a table with its key and bookkeeping columns, and adds only missing columns (names ignore case)', () => {
    const t = table([col('id', { kind: 'int32' }), col('Name', { kind: 'text' })], ['id']);
    const opts = mysqlSinkOptions.parse({ 'delete.mode': 'soft', 'metadata-columns': true });
    const plan = planTable(t, extraColumns(opts), maria);
    assert.equal(
      createTableSql('`db`.`t`', plan, maria),
      'CREATE TABLE `db`.`t` (`id` INT, `Name` LONGTEXT CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin, `_nilus_deleted` BOOLEAN NOT NULL DEFAULT FALSE, `_nilus_op` CHAR(1) CHARACTER SET ascii COLLATE ascii_bin, `_nilus_position` TEXT CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin, `_nilus_synced_at` DATETIME(6), PRIMARY KEY (`id`)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_nopad_bin',
    );
    assert.equal(addColumnsSql('`db`.`t`', plan, new Set(['id', 'name', '_nilus_deleted', '_nilus_op', '_nilus_position', '_nilus_synced_at'])), null);
    assert.deepEqual(addColumnsSql('`db`.`t`', plan, new Set(['id', 'name'])), {
      sql: 'ALTER TABLE `db`.`t` ADD COLUMN `_nilus_deleted` BOOLEAN NOT NULL DEFAULT FALSE, ADD COLUMN `_nilus_op` CHAR(1) CHARACTER SET ascii COLLATE ascii_bin, ADD COLUMN `_nilus_position` TEXT CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin, ADD COLUMN `_nilus_synced_at` DATETIME(6)',
      added: ['_nilus_deleted', '_nilus_op', '_nilus_position', '_nilus_synced_at'],
    });
  });
});
