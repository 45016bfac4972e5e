// Where the report test finds a browser: UNIMEM_CHROMIUM (or CHROME_PATH, which other tools
// read) if set, else the first Chromium or Chrome at a usual path. playwright-core drives any
// Chromium-based binary; never run `npx playwright install` (it downloads browsers).

import { existsSync } from 'node:fs';

export const BROWSER_PATHS = [
  '/usr/bin/chromium', // Debian: apt-get install -y chromium
  '/usr/bin/chromium-browser', // Ubuntu, Alpine
  '/usr/bin/google-chrome',
  '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
  '/Applications/Chromium.app/Contents/MacOS/Chromium',
];

export interface Browser {
  /** The binary to launch, or undefined when none was found. */
  path: string | undefined;
  /** Where it came from, or why there is none (for the skip message). */
  why: string;
}

export function findBrowser(env: NodeJS.ProcessEnv = process.env): Browser {
  for (const name of ['UNIMEM_CHROMIUM', 'CHROME_PATH']) {
    const path = env[name];
    if (path !== undefined && path !== '') {
      // A path that was asked for but is missing is an error, not a reason to look elsewhere.
      return existsSync(path)
        ? { path, why: `${name}=${path}` }
        : { path: undefined, why: `${name}=${path} does not exist` };
    }
  }
  const found = BROWSER_PATHS.find((path) => existsSync(path));
  if (found) return { path: found, why: found };
  return {
    path: undefined,
    why: `no browser at ${BROWSER_PATHS.join(', ')}; set UNIMEM_CHROMIUM=/path/to/chromium-or-chrome or install one (Debian: apt-get install -y chromium)`,
  };
}
