// Printed at the end of `npm run quickstart`: the next commands in the form that works without
// pnpm on PATH (npm runs the root package's scripts with node_modules/.bin on PATH; a shell
// afterwards does not have it, unless pnpm is installed globally).

import { execFileSync } from 'node:child_process';

let pnpmOnPath = false;
try {
  const env = {
    ...process.env,
    PATH: (process.env.PATH ?? '')
      .split(':')
      .filter((d) => !d.includes('node_modules'))
      .join(':'),
  };
  execFileSync('pnpm', ['--version'], { stdio: 'ignore', env });
  pnpmOnPath = true;
} catch {
  // no global pnpm
}
const run = pnpmOnPath ? 'pnpm unimem' : 'npm run unimem --';
const lines = [
  [`${run} help`, 'the commands (list, bench, report, merge, calibrate, demo)'],
  [`${run} bench frames.bulk`, 'one benchmark'],
  ['npm test', "typecheck and every package's tests"],
];
console.log('\nNext:');
for (const [command, what] of lines) console.log(`  ${command.padEnd(36)} ${what}`);
if (!pnpmOnPath) {
  console.log(
    '(pnpm is not on PATH: npm i -g pnpm@12.4.2 or corepack enable, then pnpm unimem ...)',
  );
}
