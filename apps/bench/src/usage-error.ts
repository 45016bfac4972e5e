// Bad input to the CLI (an unknown name, a malformed list, a mismatch): the CLI prints the
// message as one line and exits with code 2. Messages name the bad value and what is allowed.

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** "a, b, c" or "(none)". */
export function listOf(names: Iterable<string>): string {
  const all = [...names];
  return all.length === 0 ? '(none)' : all.join(', ');
}
