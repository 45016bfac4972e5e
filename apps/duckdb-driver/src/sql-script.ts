// Splits a SQL script into statements at top-level semicolons. Semicolons inside single-quoted
// strings, double-quoted identifiers and `--` line comments do not split (tpch_gen.sql has a
// ';' word in its punctuation list). Comment-only fragments are dropped.

/** The statements of `script`, in order, without their terminating semicolons. */
export function splitStatements(script: string): string[] {
  const statements: string[] = [];
  let start = 0;
  let i = 0;
  const push = (end: number) => {
    const text = script.slice(start, end).trim();
    if (stripComments(text).trim() !== '') statements.push(text);
  };
  while (i < script.length) {
    const c = script[i];
    if (c === "'" || c === '"') {
      i = script.indexOf(c, i + 1);
      if (i < 0) throw new RangeError(`unterminated ${c} quote in SQL script`);
      i++;
    } else if (c === '-' && script[i + 1] === '-') {
      const eol = script.indexOf('\n', i);
      i = eol < 0 ? script.length : eol + 1;
    } else if (c === ';') {
      push(i);
      start = ++i;
    } else {
      i++;
    }
  }
  push(script.length);
  return statements;
}

/** `sql` without its `--` line comments (quotes are respected). */
export function stripComments(sql: string): string {
  let out = '';
  let i = 0;
  while (i < sql.length) {
    const c = sql[i];
    if (c === "'" || c === '"') {
      const end = sql.indexOf(c, i + 1);
      const stop = end < 0 ? sql.length : end + 1;
      out += sql.slice(i, stop);
      i = stop;
    } else if (c === '-' && sql[i + 1] === '-') {
      const eol = sql.indexOf('\n', i);
      i = eol < 0 ? sql.length : eol;
    } else {
      out += c;
      i++;
    }
  }
  return out;
}
