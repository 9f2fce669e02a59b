// A table with every MySQL type Nilus maps, and rows at the edges of each.
export const ALL_TYPES = `CREATE TABLE items (
  id int PRIMARY KEY,
  ti tinyint, tu tinyint unsigned, si smallint, su smallint unsigned, mi mediumint, mu mediumint unsigned,
  i int, iu int unsigned, bi bigint, bu bigint unsigned,
  d65 decimal(65,30), d10 decimal(10,2) NOT NULL DEFAULT 0, f float, db double,
  b1 bit(1), b10 bit(10), flag bool,
  ch char(3), vc varchar(40), tx text, lt longtext,
  bn binary(4), vb varbinary(10), bl blob,
  dt date, dtn date NOT NULL DEFAULT '2000-01-01', tm time(6), dtm datetime(6), dtmn datetime NOT NULL DEFAULT '2000-01-01 00:00:00', ts timestamp(6) NULL, yr year,
  en enum('sad','ok','happy'), st set('a','b','c'), js json
)`;

/** One row exercising the edges of every type; `id` picks the variant. */
export function itemValues(id: number): string {
  const v = id % 4;
  const pick = <T>(...xs: T[]) => xs[v % xs.length];
  return `(${id},
    ${pick(-128, 127, 0, -1)}, ${pick(0, 255, 1, 128)}, ${pick(-32768, 32767, 0, 7)}, ${pick(0, 65535, 1, 32768)}, ${pick(-8388608, 8388607, 0, 1)}, ${pick(0, 16777215, 1, 2)},
    ${pick(-2147483648, 2147483647, 0, 3)}, ${pick(0, 4294967295, 1, 2147483648)}, ${pick('-9223372036854775808', '9223372036854775807', '0', '-1')}, ${pick('0', '18446744073709551615', '9223372036854775808', '1')},
    ${pick("'-12345678901234567890123456789012345.123456789012345678901234567890'", "'99999999999999999999999999999999999.999999999999999999999999999999'", "'0.000000000000000000000000000001'", "'0'")}, ${pick("'-0.01'", "'99999999.99'", "'0'", "'1.5'")},
    ${pick('3.40282e38', '-1.17549e-38', '0', '0.1')}, ${pick('1.7976931348623157e308', '-2.2250738585072014e-308', '0.1', '1.0000000000000002')},
    ${pick("b'1'", "b'0'", 'NULL', "b'1'")}, ${pick("b'1010101010'", "b'0'", "b'1111111111'", 'NULL')}, ${pick('TRUE', 'FALSE', '2', 'NULL')},
    ${pick("'abc'", "''", "'é'", 'NULL')}, ${pick("'emoji 😀 ✓'", "'it''s \\\\ \"q\"'", "''", "'中文'")}, ${pick("REPEAT('long 😀 ', 1000)", "'x'", "''", 'NULL')}, ${pick("REPEAT('z', 70000)", "'t'", 'NULL', "''")},
    ${pick("X'00ff0000'", "X'61'", "X''", 'NULL')}, ${pick("X'00ff'", "X''", "X'deadbeef'", 'NULL')}, ${pick("X'0102'", "REPEAT(X'ab', 3000)", "X''", 'NULL')},
    ${pick("'2024-02-29'", "'1000-01-01'", "'9999-12-31'", "'0000-00-00'")}, ${pick("'1970-01-01'", "'0000-00-00'", "'2024-01-31'", "'1999-12-31'")},
    ${pick("'-838:59:59.000000'", "'838:59:59.000000'", "'25:00:00.5'", "'-00:00:00.000001'")}, ${pick("'2024-02-29 12:34:56.789012'", "'1000-01-01 00:00:00'", "'9999-12-31 23:59:59.999999'", "'0000-00-00 00:00:00'")},
    ${pick("'2024-02-29 12:34:56'", "'0000-00-00 00:00:00'", "'1970-01-01 00:00:00'", "'2038-01-19 03:14:08'")},
    ${pick("'2024-02-29 12:34:56.000001'", "'1970-01-01 00:00:01'", "'2038-01-19 03:14:07.999999'", 'NULL')}, ${pick('2024', '1901', '2155', '0')},
    ${pick("'sad'", "'ok'", "'happy'", 'NULL')}, ${pick("'a,c'", "''", "'a,b,c'", "'b'")}, ${pick('\'{"a": 1.000000000000000000001, "b": [1, "x"], "u": "ü😀"}\'', "'[]'", "'null'", "'{\"k\": 18446744073709551615}'")}
  )`;
}

export const insertItems = (from: number, to: number) => {
  const rows: string[] = [];
  for (let id = from; id <= to; id++) rows.push(itemValues(id));
  return `INSERT INTO items VALUES ${rows.join(',\n')}`;
};


/** A composite text key (emoji and a quote in it: keyset pages over two columns) and a keyless table, seeded. */
export const KEY_SHAPES = [
  'CREATE TABLE tags (name varchar(20), n int, id int NOT NULL, PRIMARY KEY (name, n))',
  "INSERT INTO tags SELECT CONCAT(CASE seq % 3 WHEN 0 THEN 'a' WHEN 1 THEN 'B😀' ELSE 'c''d' END, seq % 7), seq, seq FROM seq_1_to_180",
  'CREATE TABLE logs (id int NOT NULL, msg text)',
  "INSERT INTO logs SELECT seq, CONCAT('m', seq) FROM seq_1_to_120",
];
