// What a result set records about where it came from: the host, the versions of every package
// that produced the numbers (and the git commit when run inside a checkout), the command line.

import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, hostname, totalmem } from 'node:os';
import type { HostInfo } from '../api.js';

export function hostInfo(): HostInfo {
  const list = cpus();
  return {
    hostname: hostname(),
    platform: process.platform,
    arch: process.arch,
    cpus: list.length,
    cpuModel: list[0]?.model.trim() ?? 'unknown',
    memoryBytes: totalmem(),
    node: process.version,
  };
}

function readVersion(url: URL): string | undefined {
  try {
    return (JSON.parse(readFileSync(url, 'utf8')) as { version?: string }).version;
  } catch {
    return undefined;
  }
}

/** Versions of @unimem/bench and each of its dependencies, plus the git commit if known. */
export function packageVersions(): Record<string, string> {
  const own = new URL('../../package.json', import.meta.url);
  const manifest = JSON.parse(readFileSync(own, 'utf8')) as {
    name: string;
    version: string;
    dependencies?: Record<string, string>;
  };
  const versions: Record<string, string> = { [manifest.name]: manifest.version };
  for (const name of Object.keys(manifest.dependencies ?? {}).sort()) {
    const version = readVersion(
      new URL(`../../node_modules/${name}/package.json`, import.meta.url),
    );
    if (version) versions[name] = version;
  }
  const commit = gitCommit();
  if (commit) versions.git = commit;
  return versions;
}

function gitCommit(): string | undefined {
  try {
    const options = {
      cwd: new URL('.', import.meta.url),
      stdio: ['ignore', 'pipe', 'ignore'] as Array<'ignore' | 'pipe'>,
      encoding: 'utf8' as const,
    };
    const sha = execFileSync('git', ['rev-parse', 'HEAD'], options).trim();
    const dirty = execFileSync('git', ['status', '--porcelain'], options).trim() !== '';
    return dirty ? `${sha}+dirty` : sha;
  } catch {
    return undefined;
  }
}

/** The command line as the user typed it (approximately: `unimem <args>`, quoted when needed). */
export function commandLine(argv: readonly string[]): string {
  const quote = (arg: string) =>
    /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, "'\\''")}'`;
  return ['unimem', ...argv].map(quote).join(' ');
}
