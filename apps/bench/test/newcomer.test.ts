// A newcomer with only Node and npm: after `npm run quickstart` there is no pnpm on PATH, so the
// next commands it prints, and the CLI's own usage, must work in their npm form.

import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, symlinkSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from './helpers.js';

const root = resolve(import.meta.dirname, '../../..');

/** A PATH with sh, node and npm only (no global pnpm). */
function npmOnlyPath(): string {
  const bin = join(tempDir('unimem-npm-only-'), 'bin');
  mkdirSync(bin);
  for (const tool of ['sh', 'node', 'npm']) {
    const found = execFileSync('sh', ['-c', `command -v ${tool}`])
      .toString()
      .trim();
    symlinkSync(found, join(bin, tool));
  }
  return bin;
}

describe('without pnpm on PATH', () => {
  const env: NodeJS.ProcessEnv = { ...process.env, PATH: npmOnlyPath() };
  for (const key of Object.keys(env)) if (key.startsWith('npm_')) delete env[key];

  it('the quickstart ends with the next commands in their npm form', () => {
    const scripts = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).scripts;
    expect(scripts.quickstart).toMatch(/&& node scripts\/next-steps\.mjs$/);
    const next = execFileSync('node', ['scripts/next-steps.mjs'], { cwd: root, env }).toString();
    expect(next).toMatch(/^ {2}npm run unimem -- help\b/m);
    expect(next).toMatch(/pnpm is not on PATH: npm i -g pnpm@12\.4\.2 or corepack enable/);
  });

  it('npm run unimem -- help prints the usage, which names the npm form', () => {
    const usage = execFileSync('npm', ['run', '--silent', 'unimem', '--', 'help'], {
      cwd: root,
      env,
    }).toString();
    expect(usage).toMatch(/^Usage: pnpm unimem <command> \[options\]$/m);
    expect(usage).toMatch(/^ {3}or: npm run unimem -- <command> \[options\]/m);
  }, 60_000);
});
