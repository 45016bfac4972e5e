// The 22 TPC-H query texts (sql/queries, copied from the project's reference, DuckDB syntax,
// the spec's validation parameters) with per-scale-factor substitution where the spec requires
// it. Only Q11's FRACTION depends on the scale factor (spec 2.4.11.3: 0.0001 / SF); every other
// parameter is the validation value the spec fixes independently of SF. Known consequence:
// Q18 (QUANTITY 300) returns no rows at SF 0.01, where the largest order quantity is below 300.

import { readFileSync } from 'node:fs';

export const QUERY_NUMBERS: readonly number[] = Array.from({ length: 22 }, (_, i) => i + 1);

export interface Query {
  number: number;
  /** `q01` .. `q22`. */
  name: string;
  sql: string;
  /** Parameters substituted for this scale factor (name -> value). */
  substituted: Record<string, string>;
}

/** `q01` for 1. */
export function queryName(n: number): string {
  return `q${String(n).padStart(2, '0')}`;
}

/** Q11's FRACTION for a scale factor, as the spec defines it (0.0001 / SF). */
export function q11Fraction(sf: number): string {
  return String(0.0001 / sf);
}

/** The text of query `n` with scale-factor parameters substituted. */
export function loadQuery(n: number, sf: number): Query {
  if (!Number.isInteger(n) || n < 1 || n > 22) {
    throw new RangeError(`query ${n} is not a TPC-H query number (1..22)`);
  }
  const name = queryName(n);
  const text = readFileSync(new URL(`./sql/queries/${name}.sql`, import.meta.url), 'utf8');
  const substituted: Record<string, string> = {};
  let sql = text;
  if (n === 11) {
    substituted.FRACTION = q11Fraction(sf);
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the query file's literal placeholder
    sql = sql.replaceAll('${FRACTION}', substituted.FRACTION);
  }
  if (sql.includes('${')) throw new Error(`${name}.sql has an unsubstituted parameter`);
  return { number: n, name, sql, substituted };
}

/**
 * Parses a query list such as `1,5,9` or `1-6,22`. Throws a RangeError naming the bad item and
 * what is allowed.
 */
export function parseQueryList(text: string): number[] {
  const out = new Set<number>();
  for (const item of text.split(',')) {
    const match = /^\s*(\d+)\s*(?:-\s*(\d+)\s*)?$/.exec(item);
    const from = match ? Number(match[1]) : Number.NaN;
    const to = match?.[2] !== undefined ? Number(match[2]) : from;
    if (!(from >= 1 && to <= 22 && from <= to)) {
      throw new RangeError(
        `query "${item.trim()}" is not a query number or range within 1..22 (example: 1,5,9-11)`,
      );
    }
    for (let q = from; q <= to; q++) out.add(q);
  }
  return [...out].sort((a, b) => a - b);
}
