// Spec checks run on a generated TPC-H database (TPC-H v3 clause 4.2): exact cardinalities per
// scale factor, unique primary keys, key rules (sparse orderkeys, custkey % 3 <> 0, every
// lineitem (partkey, suppkey) pair exists in partsupp) and the date/flag/price rules. Each rule
// is one SQL statement returning a number; a check passes when that number equals `expected`.

import type { DuckDBConnection } from '@duckdb/node-api';

export interface Cardinalities {
  region: number;
  nation: number;
  supplier: number;
  part: number;
  partsupp: number;
  customer: number;
  orders: number;
}

export interface CheckResult {
  name: string;
  expected: number | string;
  actual: number;
  ok: boolean;
}

/** Row counts the spec fixes for a scale factor (lineitem varies: 1..7 rows per order). */
export function expectedCardinalities(sf: number): Cardinalities {
  const scaled = (base: number) => Math.max(1, Math.round(base * sf));
  const part = scaled(200_000);
  return {
    region: 5,
    nation: 25,
    supplier: scaled(10_000),
    part,
    partsupp: 4 * part,
    customer: scaled(150_000),
    orders: scaled(1_500_000),
  };
}

/** Rules whose SQL counts violations (expected 0). */
const RULES: Array<[string, string]> = [
  ['unique r_regionkey', 'SELECT count(*) - count(DISTINCT r_regionkey) FROM region'],
  ['unique n_nationkey', 'SELECT count(*) - count(DISTINCT n_nationkey) FROM nation'],
  ['unique s_suppkey', 'SELECT count(*) - count(DISTINCT s_suppkey) FROM supplier'],
  ['unique p_partkey', 'SELECT count(*) - count(DISTINCT p_partkey) FROM part'],
  [
    'unique (ps_partkey, ps_suppkey)',
    'SELECT count(*) - count(DISTINCT (ps_partkey, ps_suppkey)) FROM partsupp',
  ],
  ['unique c_custkey', 'SELECT count(*) - count(DISTINCT c_custkey) FROM customer'],
  ['unique o_orderkey', 'SELECT count(*) - count(DISTINCT o_orderkey) FROM orders'],
  [
    'unique (l_orderkey, l_linenumber)',
    'SELECT count(*) - count(DISTINCT (l_orderkey, l_linenumber)) FROM lineitem',
  ],
  [
    'sparse orderkeys (8 of every 32)',
    'SELECT count(*) FROM orders WHERE o_orderkey % 32 NOT BETWEEN 1 AND 8',
  ],
  ['o_custkey % 3 <> 0', 'SELECT count(*) FROM orders WHERE o_custkey % 3 = 0'],
  [
    'o_custkey references customer',
    'SELECT count(*) FROM orders ANTI JOIN customer ON o_custkey = c_custkey',
  ],
  [
    'lineitem (partkey, suppkey) in partsupp',
    'SELECT count(*) FROM lineitem ANTI JOIN partsupp ON l_partkey = ps_partkey AND l_suppkey = ps_suppkey',
  ],
  [
    'lineitem references orders',
    'SELECT count(*) FROM lineitem ANTI JOIN orders ON l_orderkey = o_orderkey',
  ],
  [
    'every order has 1..7 lineitems',
    `SELECT count(*) FROM (SELECT o_orderkey, count(l_orderkey) n FROM orders
       LEFT JOIN lineitem ON l_orderkey = o_orderkey GROUP BY o_orderkey) WHERE n NOT BETWEEN 1 AND 7`,
  ],
  [
    'partsupp supplier formula',
    `SELECT count(*) FROM partsupp, (SELECT count(*) AS s FROM supplier)
       WHERE ps_suppkey NOT IN (${[0, 1, 2, 3]
         .map((j) => `((ps_partkey + ${j} * (s // 4 + (ps_partkey - 1) // s)) % s) + 1`)
         .join(', ')})`,
  ],
  [
    'nation keys in 0..24',
    `SELECT (SELECT count(*) FROM supplier WHERE s_nationkey NOT BETWEEN 0 AND 24)
          + (SELECT count(*) FROM customer WHERE c_nationkey NOT BETWEEN 0 AND 24)`,
  ],
  [
    'date rules (ship +1..121, commit +30..90, receipt = ship +1..30)',
    `SELECT count(*) FROM lineitem JOIN orders ON l_orderkey = o_orderkey
       WHERE l_shipdate - o_orderdate NOT BETWEEN 1 AND 121
          OR l_commitdate - o_orderdate NOT BETWEEN 30 AND 90
          OR l_receiptdate - l_shipdate NOT BETWEEN 1 AND 30
          OR o_orderdate NOT BETWEEN DATE '1992-01-01' AND DATE '1998-08-02'`,
  ],
  [
    'returnflag and linestatus rules',
    `SELECT count(*) FROM lineitem
       WHERE (l_receiptdate <= DATE '1995-06-17') <> (l_returnflag IN ('R', 'A'))
          OR (l_shipdate > DATE '1995-06-17') <> (l_linestatus = 'O')`,
  ],
  [
    'orderstatus from lineitem statuses',
    `SELECT count(*) FROM orders JOIN (SELECT l_orderkey, bool_and(l_linestatus = 'F') f,
       bool_and(l_linestatus = 'O') o FROM lineitem GROUP BY l_orderkey) ON l_orderkey = o_orderkey
       WHERE o_orderstatus <> CASE WHEN f THEN 'F' WHEN o THEN 'O' ELSE 'P' END`,
  ],
  [
    'retailprice formula',
    `SELECT count(*) FROM part WHERE p_retailprice <>
       CAST((90000 + ((p_partkey // 10) % 20001) + 100 * (p_partkey % 1000)) / 100 AS DECIMAL(15,2))`,
  ],
  [
    'extendedprice = quantity * retailprice',
    `SELECT count(*) FROM lineitem JOIN part ON l_partkey = p_partkey
       WHERE l_extendedprice <> l_quantity * p_retailprice`,
  ],
];

/** Runs every check on an open connection. */
export async function runChecks(connection: DuckDBConnection, sf: number): Promise<CheckResult[]> {
  const value = async (sql: string) => {
    const reader = await connection.runAndReadAll(sql);
    return Number(reader.getRows()[0][0]);
  };
  const results: CheckResult[] = [];
  for (const [table, expected] of Object.entries(expectedCardinalities(sf))) {
    const actual = await value(`SELECT count(*) FROM ${table}`);
    results.push({ name: `${table} rows`, expected, actual, ok: actual === expected });
  }
  const orders = expectedCardinalities(sf).orders;
  const lines = await value('SELECT count(*) FROM lineitem');
  results.push({
    name: 'lineitem rows',
    expected: `${orders}..${7 * orders}`,
    actual: lines,
    ok: lines >= orders && lines <= 7 * orders,
  });
  for (const [name, sql] of RULES) {
    const actual = await value(sql);
    results.push({ name, expected: 0, actual, ok: actual === 0 });
  }
  const complaints = await value(
    "SELECT count(*) FROM supplier WHERE s_comment LIKE '%Customer%Complaints%'",
  );
  results.push({
    name: "suppliers with 'Customer%Complaints'",
    expected: '>= 1',
    actual: complaints,
    ok: complaints >= 1,
  });
  return results;
}
