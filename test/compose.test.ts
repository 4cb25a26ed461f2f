/**
 * `docker-compose.yml` is accepted by Docker Compose (the client alone checks it; no engine
 * needed) and describes every deployable: NATS, PostgreSQL, the gateway and one service per
 * built-in plugin, each command pointing at a file the image contains.
 */
import { describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { REPO_ROOT } from './support/processes.js';

function compose(args: string[], env: Record<string, string>): { status: number | null; stdout: string; stderr: string } {
  const options = { cwd: REPO_ROOT, env: { ...process.env, ...env }, encoding: 'utf8' as const };
  const plugin = spawnSync('docker', ['compose', 'version'], options);
  const result = plugin.status === 0 ? spawnSync('docker', ['compose', ...args], options) : spawnSync('docker-compose', args, options);
  if (result.error)
    throw new Error(`Docker Compose is not installed: install it (Debian: apt-get install docker-compose) — ${result.error.message}`);
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('docker-compose.yml', () => {
  const env = { HERALD_SECRET_KEY: Buffer.alloc(32, 1).toString('base64') };

  it('is accepted by docker compose config', () => {
    const result = compose(['config', '-q'], env);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  it('has every deployable as a service', () => {
    const result = compose(['config', '--services'], env);
    expect(result.stdout.trim().split('\n').sort()).toEqual([
      'alert',
      'gateway',
      'mail',
      'msteams',
      'nats',
      'postgres',
      'slack',
      'webhooks',
    ]);
  });

  it('refuses to start without HERALD_SECRET_KEY, saying how to make one', () => {
    const result = compose(['config', '-q'], { HERALD_SECRET_KEY: '' });
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain('HERALD_SECRET_KEY');
  });

  it('starts files that the build produces', () => {
    expect(existsSync(resolve(REPO_ROOT, 'plugins/start-plugin.mjs'))).toBe(true);
    for (const channel of ['alert', 'mail', 'slack', 'msteams', 'webhooks'])
      expect(existsSync(resolve(REPO_ROOT, `plugins/${channel}/src/main.ts`))).toBe(true);
    expect(existsSync(resolve(REPO_ROOT, 'gateway/src/main.ts'))).toBe(true);
  });
});
