import { describe, expect, it } from 'vitest';
import {
  loadQuery,
  parseQueryList,
  QUERY_NUMBERS,
  q11Fraction,
  queryName,
} from '../src/queries.js';
import { splitStatements } from '../src/sql-script.js';

describe('queries', () => {
  it('loads all 22 without unsubstituted parameters', () => {
    expect(QUERY_NUMBERS).toHaveLength(22);
    for (const n of QUERY_NUMBERS) {
      const q = loadQuery(n, 0.1);
      expect(q.name).toBe(queryName(n));
      expect(q.sql).not.toContain('${');
      expect(q.sql.toLowerCase()).toContain('select');
    }
  });

  it("substitutes Q11's FRACTION = 0.0001 / SF", () => {
    expect(q11Fraction(1)).toBe('0.0001');
    expect(q11Fraction(0.1)).toBe('0.001');
    expect(loadQuery(11, 0.01).substituted).toEqual({ FRACTION: '0.01' });
    expect(loadQuery(11, 0.01).sql).toContain('* 0.01');
    expect(loadQuery(1, 0.01).substituted).toEqual({});
  });

  it('parses lists and ranges and names bad items', () => {
    expect(parseQueryList('1,5,9-11')).toEqual([1, 5, 9, 10, 11]);
    expect(parseQueryList('22,1,1')).toEqual([1, 22]);
    expect(() => parseQueryList('0')).toThrow(/"0" .*1\.\.22/);
    expect(() => parseQueryList('3-1')).toThrow(/"3-1"/);
    expect(() => parseQueryList('x')).toThrow(/"x"/);
    expect(() => loadQuery(23, 1)).toThrow(/query 23/);
  });
});

describe('splitStatements', () => {
  it('splits at top-level semicolons only', () => {
    const script = '-- a; comment\nSELECT \';\' AS x; SELECT "a;b" FROM t;\n-- trailing;\n';
    expect(splitStatements(script)).toEqual([
      "-- a; comment\nSELECT ';' AS x",
      'SELECT "a;b" FROM t',
    ]);
  });

  it('rejects an unterminated quote', () => {
    expect(() => splitStatements("SELECT 'x")).toThrow(/unterminated/);
  });
});
