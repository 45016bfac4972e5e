// Runs every code block of the repository's Markdown (README.md of the root, of each package and
// app, and docs/*.md) whose fence says ```ts runnable: imports of @unimem/* packages are pointed
// at their sources (as inside the workspace), the block runs with tsx in a fresh process, and it
// must exit 0 and write nothing to stderr. A block marked runnable that has gone stale (an import
// that no longer exists, an option that was renamed) fails here instead of misleading a reader.

import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../../..');
const tsx = join(root, 'node_modules/.bin/tsx');
const work = mkdtempSync(join(tmpdir(), 'unimem-docs-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

interface Block {
  file: string;
  line: number;
  code: string;
}

/** The Markdown files whose runnable blocks are checked. */
function markdownFiles(): string[] {
  const files = [join(root, 'README.md')];
  for (const group of ['packages', 'apps']) {
    for (const name of readdirSync(join(root, group))) {
      const readme = join(root, group, name, 'README.md');
      if (existsSync(readme)) files.push(readme);
    }
  }
  const docs = join(root, 'docs');
  if (existsSync(docs)) {
    for (const name of readdirSync(docs)) if (name.endsWith('.md')) files.push(join(docs, name));
  }
  return files;
}

/** Blocks fenced as ```ts runnable (or ```typescript runnable) in `text`. */
function runnableBlocks(file: string, text: string): Block[] {
  const blocks: Block[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    if (!/^```(ts|typescript)\s+runnable\s*$/.test(lines[i])) continue;
    const end = lines.findIndex((line, j) => j > i && /^```\s*$/.test(line));
    if (end < 0) throw new Error(`${file}:${i + 1}: runnable block without a closing fence`);
    blocks.push({ file, line: i + 1, code: lines.slice(i + 1, end).join('\n') });
    i = end;
  }
  return blocks;
}

/** `@unimem/name` and `@unimem/name/sub` → the source file its package.json exports. */
function sourceOf(specifier: string): string {
  const [, name, sub] = /^@unimem\/([^/]+)(?:\/(.+))?$/.exec(specifier) ?? [];
  for (const group of ['packages', 'apps']) {
    const manifest = join(root, group, name ?? '', 'package.json');
    if (!existsSync(manifest)) continue;
    const exports = JSON.parse(readFileSync(manifest, 'utf8')).exports ?? {};
    const target = exports[sub === undefined ? '.' : `./${sub}`];
    if (typeof target === 'string') return join(root, group, name, target);
  }
  throw new Error(`cannot resolve ${specifier} to a workspace package's exports`);
}

function run(block: Block): { status: number; stderr: string } {
  const code = block.code.replace(/(['"])(@unimem\/[^'"]+)\1/g, (_m, quote, specifier) => {
    return `${quote}${sourceOf(specifier)}${quote}`;
  });
  const name = `${block.file.slice(root.length + 1).replace(/[^\w]+/g, '-')}-${block.line}.mts`;
  const path = join(work, name);
  writeFileSync(path, code);
  try {
    execFileSync(tsx, [path], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], timeout: 120_000 });
    return { status: 0, stderr: '' };
  } catch (error) {
    const e = error as { status?: number; stderr?: Buffer; message: string };
    return { status: e.status ?? -1, stderr: e.stderr?.toString() || e.message };
  }
}

const blocks = markdownFiles().flatMap((file) => runnableBlocks(file, readFileSync(file, 'utf8')));

describe('runnable documentation blocks', () => {
  it('finds the fences, and only the marked ones', () => {
    const text = ['```ts runnable', 'a()', '```', '```ts', 'b()', '```', '```ts runnable', '```'];
    expect(runnableBlocks('x.md', text.join('\n'))).toEqual([
      { file: 'x.md', line: 1, code: 'a()' },
      { file: 'x.md', line: 7, code: '' },
    ]);
    expect(blocks.length).toBeGreaterThan(0);
  });

  it('reports a stale block as a failure', () => {
    const stale = run({
      file: join(root, 'stale.md'),
      line: 1,
      code: "import { Buddy } from '@unimem/linux';\nnew Buddy();",
    });
    expect(stale.status).not.toBe(0);
  }, 120_000);

  it('docs/components.md lists, for every package, the tarballs its dependencies need', () => {
    const text = readFileSync(join(root, 'docs/components.md'), 'utf8');
    const rows = new Map<string, string[]>();
    for (const [, name, list] of text.matchAll(/^\| `@unimem\/([\w-]+)` \| ([^|(]+)/gm)) {
      rows.set(
        name,
        list
          .split(',')
          .map((part) => part.trim())
          .filter(Boolean)
          .sort(),
      );
    }
    const manifests = new Map<string, string[]>();
    for (const name of readdirSync(join(root, 'packages'))) {
      const manifest = join(root, 'packages', name, 'package.json');
      if (!existsSync(manifest)) continue;
      const deps = Object.keys(JSON.parse(readFileSync(manifest, 'utf8')).dependencies ?? {});
      manifests.set(
        name,
        deps.filter((d) => d.startsWith('@unimem/')).map((d) => d.slice(8)),
      );
    }
    const closure = (name: string, seen = new Set<string>([name])): Set<string> => {
      for (const dep of manifests.get(name) ?? []) {
        if (!seen.has(dep)) closure(dep, seen.add(dep));
      }
      return seen;
    };
    for (const name of manifests.keys()) {
      expect(rows.get(name), `row of @unimem/${name}`).toEqual([...closure(name)].sort());
    }
  });

  it.each(blocks.map((b) => [`${b.file.slice(root.length + 1)}:${b.line}`, b] as const))(
    '%s runs',
    (_where, block) => {
      const { status, stderr } = run(block);
      expect(stderr).toBe('');
      expect(status).toBe(0);
    },
    120_000,
  );
});
