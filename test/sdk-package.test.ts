/**
 * The SDK as a third-party author gets it: `npm pack` of @herald/contracts and
 * @herald/plugin-storage, `herald plugin new` in a folder outside the repository, an install from
 * the tarballs without the network (`npm ci --offline`, see support/offline-lock.ts), `tsc` with
 * `skipLibCheck: false`, and the scaffold's conformance suite under `node --test` against the real
 * NATS. Prints the installed size of the data-less plugin and the scaffold's line count.
 * Needs `npm run build` first (packs `dist/`).
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { resolveNatsUrl } from '@herald/contracts/testing';
import { offlineLock } from './support/offline-lock.js';

const run = promisify(execFile);
const repo = new URL('..', import.meta.url).pathname;
const MAX_PLUGIN_DEPENDENCY_BYTES = 15 * 1024 * 1024;
const MAX_AUTHOR_LINES = 40;

let work: string;
const tarballs: Record<string, string> = {};

// The scaffold's processes are not Jest workers: without JEST_WORKER_ID, as in an author's shell.
const { JEST_WORKER_ID: _worker, ...outsideJest } = process.env;

async function sh(cwd: string, command: string, args: string[], env: NodeJS.ProcessEnv = {}) {
  try {
    return await run(command, args, {
      cwd,
      env: { ...outsideJest, npm_config_update_notifier: 'false', ...env },
      maxBuffer: 16 * 1024 * 1024,
    });
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: string; stderr?: string };
    throw new Error(`${(error as Error).message}\n--- stdout\n${stdout ?? ''}\n--- stderr\n${stderr ?? ''}`);
  }
}

async function bytesOf(path: string): Promise<number> {
  const { stdout } = await sh(work, 'du', ['-sb', path]);
  return Number(stdout.split('\t')[0]);
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'herald-sdk-'));
  for (const [name, dir] of [
    ['@herald/contracts', 'contracts'],
    ['@herald/plugin-storage', 'contracts/storage'],
  ] as const) {
    const { stdout } = await sh(join(repo, dir), 'npm', ['pack', '--json', '--pack-destination', work]);
    const [packed] = JSON.parse(stdout) as { filename: string; files: { path: string }[] }[];
    tarballs[name] = join(work, packed!.filename);
    const paths = packed!.files.map((f) => f.path);
    expect(paths).toEqual(expect.arrayContaining(['README.md', 'LICENSE', 'package.json', 'dist/index.js', 'dist/index.d.ts']));
    expect(paths.filter((p) => !p.startsWith('dist/') && !['README.md', 'LICENSE', 'package.json'].includes(p))).toEqual([]);
  }
}, 60_000);

afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

describe('the published SDK', () => {
  it('scaffolds a plugin that installs offline from the tarballs, builds with skipLibCheck false and passes its conformance suite under node --test', async () => {
    await sh(work, process.execPath, [join(repo, 'cli/bin/herald.js'), 'plugin', 'new', 'hookchat', '--dir', 'plugin']);
    const dir = join(work, 'plugin');
    expect(readdirSync(join(dir, 'src')).sort()).toEqual(['main.ts', 'plugin.conformance.test.ts', 'plugin.ts']);
    const authorLines = ['src/plugin.ts', 'src/main.ts']
      .map(
        (f) =>
          readFileSync(join(dir, f), 'utf8')
            .split('\n')
            .filter((line) => line.trim() !== '').length,
      )
      .reduce((a, b) => a + b, 0);
    expect(authorLines).toBeLessThanOrEqual(MAX_AUTHOR_LINES);
    expect(
      (JSON.parse(readFileSync(join(dir, 'tsconfig.json'), 'utf8')) as { compilerOptions: { skipLibCheck: boolean } }).compilerOptions
        .skipLibCheck,
    ).toBe(false);

    // Install the packed SDK as a local tarball (what `npm install ./herald-contracts-0.1.0.tgz` writes).
    const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
      dependencies: Record<string, string>;
      devDependencies: Record<string, string>;
    };
    expect(manifest.dependencies['@herald/contracts']).toBe('^0.1.0');
    manifest.dependencies['@herald/contracts'] = `file:../${tarballs['@herald/contracts']!.split('/').pop()!}`;
    writeFileSync(join(dir, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
    writeFileSync(
      join(dir, 'package-lock.json'),
      offlineLock({
        dir,
        name: 'herald-plugin-hookchat',
        dependencies: manifest.dependencies,
        devDependencies: manifest.devDependencies,
        tarballs: { '@herald/contracts': tarballs['@herald/contracts']! },
      }),
    );
    await sh(dir, 'npm', ['ci', '--offline', '--no-audit', '--no-fund', '--ignore-scripts']);

    const lock = JSON.parse(readFileSync(join(dir, 'package-lock.json'), 'utf8')) as { packages: Record<string, { dev?: boolean }> };
    const production = Object.entries(lock.packages)
      .filter(([path, entry]) => path !== '' && entry.dev !== true)
      .map(([path]) => path);
    expect(production).not.toContain('node_modules/pg');
    expect(production).not.toContain('node_modules/express');
    expect(production).not.toContain('node_modules/@electric-sql/pglite');
    let dependencyBytes = 0;
    for (const path of production) dependencyBytes += await bytesOf(join(dir, path));
    const allBytes = await bytesOf(join(dir, 'node_modules'));
    process.stdout.write(
      `sdk-package: data-less plugin dependencies ${(dependencyBytes / 1048576).toFixed(1)} MB in ${production.length} packages ` +
        `(du -sb of each production package; node_modules with typescript and @types/node: ${(allBytes / 1048576).toFixed(1)} MB); ` +
        `author's code ${authorLines} lines (src/plugin.ts + src/main.ts, non-blank)\n`,
    );
    expect(dependencyBytes).toBeLessThanOrEqual(MAX_PLUGIN_DEPENDENCY_BYTES);

    await sh(dir, join(dir, 'node_modules/.bin/tsc'), ['-p', '.']);
    const natsUrl = await resolveNatsUrl();
    const { stdout } = await sh(dir, process.execPath, ['--test', '--test-reporter=tap', 'dist/**/*.test.js'], { NATS_URL: natsUrl });
    expect(stdout).toMatch(/^# fail 0$/m);
    expect(stdout).toMatch(/^\s*ok \d+ - does not send a redelivered message again once it was delivered/m);
    const passed = Number(/^# pass (\d+)$/m.exec(stdout)?.[1]);
    expect(passed).toBeGreaterThanOrEqual(6);
  }, 120_000);

  it('installs @herald/plugin-storage from its tarball in an empty folder and imports it', async () => {
    const dir = join(work, 'storage');
    const dependencies = {
      '@herald/contracts': `file:../${tarballs['@herald/contracts']!.split('/').pop()!}`,
      '@herald/plugin-storage': `file:../${tarballs['@herald/plugin-storage']!.split('/').pop()!}`,
      zod: '^4.1.0',
    };
    await sh(work, 'mkdir', [dir]);
    writeFileSync(
      join(dir, 'package.json'),
      `${JSON.stringify({ name: 'storage-consumer', version: '0.1.0', private: true, type: 'module', dependencies }, null, 2)}\n`,
    );
    writeFileSync(join(dir, 'package-lock.json'), offlineLock({ dir, name: 'storage-consumer', dependencies, tarballs }));
    await sh(dir, 'npm', ['ci', '--offline', '--no-audit', '--no-fund', '--ignore-scripts']);
    const { stdout } = await sh(dir, process.execPath, [
      '--input-type=module',
      '-e',
      "const s = await import('@herald/plugin-storage'); const c = await import('@herald/contracts'); console.log(typeof s.openSqlPool, typeof s.runSqlMigrations, typeof c.runPluginMain)",
    ]);
    expect(stdout.trim()).toBe('function function function');
  }, 60_000);
});
