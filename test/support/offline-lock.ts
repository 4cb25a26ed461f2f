/**
 * A package-lock.json for a project outside the repository whose dependencies are the packed
 * Herald tarballs plus registry packages this repository already locks. `npm ci --offline` then
 * installs it without the network: every registry package is fetched from the npm cache by the
 * integrity recorded in the repository's lock (npm 11 resolves ranges only with full packuments,
 * which the cache of this machine does not hold, so `npm install --offline` cannot resolve them).
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';

interface LockEntry {
  version?: string;
  integrity?: string;
  license?: string;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
  dev?: boolean;
  [key: string]: unknown;
}

export interface OfflineProject {
  readonly dir: string;
  readonly name: string;
  readonly dependencies: Record<string, string>;
  readonly devDependencies?: Record<string, string>;
  /** Packed tarballs by package name (they are installed as `file:` dependencies). */
  readonly tarballs: Record<string, string>;
}

function tarballEntry(dir: string, file: string): LockEntry {
  const bytes = readFileSync(file);
  const manifest = JSON.parse(
    // the packed package.json equals the workspace's (npm pack does not rewrite it)
    readFileSync(
      new URL(`../../${file.includes('plugin-storage') ? 'contracts/storage' : 'contracts'}/package.json`, import.meta.url),
      'utf8',
    ),
  ) as LockEntry;
  return {
    version: manifest.version,
    resolved: `file:${relative(dir, file)}`,
    integrity: `sha512-${createHash('sha512').update(bytes).digest('base64')}`,
    license: manifest.license,
    ...(manifest.dependencies ? { dependencies: manifest.dependencies } : {}),
    ...(manifest.peerDependencies ? { peerDependencies: manifest.peerDependencies } : {}),
    ...(manifest.peerDependenciesMeta ? { peerDependenciesMeta: manifest.peerDependenciesMeta } : {}),
  };
}

/** The lock text for `project`, its registry packages taken (hoisted, flat) from the repository's lock. */
export function offlineLock(project: OfflineProject): string {
  const repo = (
    JSON.parse(readFileSync(new URL('../../package-lock.json', import.meta.url), 'utf8')) as { packages: Record<string, LockEntry> }
  ).packages;
  const packages: Record<string, LockEntry> = {
    '': {
      name: project.name,
      version: '0.1.0',
      dependencies: project.dependencies,
      ...(project.devDependencies ? { devDependencies: project.devDependencies } : {}),
    },
  };
  /** Where npm put `name` as seen from `parent` (nested first, then each ancestor, then hoisted). */
  const locate = (name: string, parent: string): string => {
    for (let at = parent; at !== ''; at = at.includes('/node_modules/') ? at.slice(0, at.lastIndexOf('/node_modules/')) : '') {
      if (repo[`${at}/node_modules/${name}`]) return `${at}/node_modules/${name}`;
    }
    return `node_modules/${name}`;
  };
  const add = (name: string, dev: boolean, parent = ''): void => {
    const repoKey = project.tarballs[name] === undefined ? locate(name, parent) : `node_modules/${name}`;
    const key = parent !== '' && repoKey !== `node_modules/${name}` ? repoKey : `node_modules/${name}`;
    const existing = packages[key];
    if (existing) {
      if (!dev) delete existing.dev;
      return;
    }
    const tarball = project.tarballs[name];
    const source: LockEntry | undefined = tarball === undefined ? repo[repoKey] : tarballEntry(project.dir, tarball);
    if (source?.version === undefined) throw new Error(`offlineLock: the repository's lock has no ${repoKey}`);
    const { dev: _dev, devOptional: _devOptional, optional: _optional, peer: _peer, ...entry } = source;
    packages[key] = { ...entry, ...(dev ? { dev: true } : {}) };
    for (const dependency of Object.keys(entry.dependencies ?? {})) add(dependency, dev, repoKey);
    for (const dependency of Object.keys(entry.optionalDependencies ?? {})) {
      if (repo[locate(dependency, repoKey)]) add(dependency, dev, repoKey);
    }
    for (const peer of Object.keys(entry.peerDependencies ?? {})) {
      if (!entry.peerDependenciesMeta?.[peer]?.optional && project.tarballs[peer] === undefined && !(peer in project.dependencies)) {
        add(peer, dev, repoKey);
      }
    }
  };
  for (const name of Object.keys(project.dependencies)) add(name, false);
  for (const name of Object.keys(project.devDependencies ?? {})) add(name, true);
  return `${JSON.stringify({ name: project.name, version: '0.1.0', lockfileVersion: 3, requires: true, packages }, null, 2)}\n`;
}
