/**
 * Which MySQL/MariaDB errors mean "this row will never be accepted" (the row
 * goes to the dead-letter subject after retries) rather than an outage or a
 * problem of the destination as a whole (the batch is retried).
 *
 * Classified by the server's error number, never by message text.
 */
const PERMANENT_ERRNOS = new Set([
  1048, // ER_BAD_NULL_ERROR: column cannot be null
  1062, // ER_DUP_ENTRY: duplicate on a unique key other than the primary key
  1216, 1217, 1451, 1452, // foreign-key constraint fails
  1264, // ER_WARN_DATA_OUT_OF_RANGE
  1265, // WARN_DATA_TRUNCATED (an error in strict mode)
  1292, // ER_TRUNCATED_WRONG_VALUE: incorrect datetime/decimal value
  1300, // ER_INVALID_CHARACTER_STRING
  1365, // ER_DIVISION_BY_ZERO
  1366, // ER_TRUNCATED_WRONG_VALUE_FOR_FIELD: incorrect integer/string value
  1367, // ER_ILLEGAL_VALUE_FOR_TYPE
  1406, // ER_DATA_TOO_LONG
  1411, // ER_WRONG_VALUE_FOR_TYPE
  1441, // ER_DATETIME_FUNCTION_OVERFLOW
  1525, // ER_WRONG_VALUE
  1690, // ER_DATA_OUT_OF_RANGE
  3140, 3141, 3146, // MySQL: invalid JSON text / argument
  3819, // MySQL: check constraint violated
  4025, // MariaDB: CONSTRAINT failed (CHECK, and JSON columns' json_valid)
  4038, // MariaDB: syntax error in JSON text
]);

export function isPermanentMySqlError(e: unknown): boolean {
  const err = e as { errno?: unknown; permanent?: unknown } | null;
  if (err?.permanent === true) return true;
  return typeof err?.errno === 'number' && PERMANENT_ERRNOS.has(err.errno);
}

/** A value the destination can never hold, rejected by choice (`unrepresentable-values: dead-letter`) or because it is part of the key. */
export class UnrepresentableValueError extends Error {
  readonly permanent = true;
}

/** A row larger than the server's max_allowed_packet: sending it would only make the server drop the connection. */
export class RowTooLargeError extends Error {
  readonly permanent = true;
}
