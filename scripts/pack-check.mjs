// Proves that packed packages work outside the workspace: packs the listed packages with
// `pnpm pack` (which builds dist through prepack and rewrites workspace:* versions), installs
// the tarballs into an empty project in a temporary directory with npm, and runs a script there
// per package, `test/pack-smoke.mjs` of that package, which imports it by name, so it runs on
// the published dist. Exits non-zero on any failure.
//
//   node scripts/pack-check.mjs [package-dir ...]
//
// Default: the packages listed in `packages` below. Which tarballs each package needs when it
// is installed alone: docs/components.md.

import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const dirs = process.argv.slice(2);
const packages =
  dirs.length > 0
    ? dirs
    : [
        'packages/core',
        'packages/hw',
        'packages/llfree',
        'packages/vma-tree',
        'packages/superblock',
        'packages/kernel-api',
        'packages/osv',
        'packages/jemalloc',
        'packages/linux',
        'packages/systems',
        'packages/vmcache',
      ];
const work = mkdtempSync(join(tmpdir(), 'unimem-pack-'));
const run = (cmd, args, cwd) =>
  execFileSync(cmd, args, { cwd, stdio: ['ignore', 'pipe', 'inherit'] }).toString();

try {
  const tarballs = [];
  for (const dir of packages) {
    run('pnpm', ['pack', '--pack-destination', work], join(root, dir));
    console.log(`pack-check: packed ${dir}`);
  }
  for (const file of readdirSync(work)) if (file.endsWith('.tgz')) tarballs.push(join(work, file));
  const project = join(work, 'consumer');
  run('mkdir', ['-p', project], work);
  writeFileSync(
    join(project, 'package.json'),
    JSON.stringify({ name: 'consumer', private: true, type: 'module' }),
  );
  run('npm', ['install', '--no-audit', '--no-fund', '--offline', ...tarballs], project);
  console.log('pack-check: installed', tarballs.map((t) => t.split('/').pop()).join(' '));
  for (const dir of packages) {
    const smoke = join(root, dir, 'test', 'pack-smoke.mjs');
    if (!existsSync(smoke)) throw new Error(`${dir} has no test/pack-smoke.mjs to run`);
    const name = `smoke-${dir.replaceAll('/', '-')}.mjs`;
    copyFileSync(smoke, join(project, name));
    process.stdout.write(run('node', [name], project));
  }
  console.log(`pack-check: ok (${packages.join(', ')})`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
