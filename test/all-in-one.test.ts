/**
 * `npm start` as a newcomer runs it: in an empty directory, with no DATABASE_URL and no SMTP_URL
 * (NATS from the machine). An event published with the CLI becomes an alert (read through the
 * API), an `.eml` in the outbox and stored decisions; SIGTERM stops everything within 10 s.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { simpleParser } from 'mailparser';
import { topology } from '@herald/contracts';
import { deleteTopology, resolveNatsUrl, uniquePrefix, waitFor } from '@herald/contracts/testing';
import { ApiClient } from './support/api-client.js';
import { REPO_ROOT, startNode, waitForOutput, type ChildHandle } from './support/processes.js';

const prefix = uniquePrefix('aio');
const topo = topology({ prefix });
const dir = mkdtempSync(join(tmpdir(), 'herald-aio-'));
let natsUrl: string;
let nc: NatsConnection;
let herald: ChildHandle;
let api: ApiClient;

let apiBase = '';

function cli(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const env: Record<string, string | undefined> = {
    ...process.env,
    NODE_OPTIONS: '',
    NATS_URL: natsUrl,
    HERALD_SUBJECT_PREFIX: prefix,
    HERALD_URL: apiBase,
  };
  for (const name of ['HERALD_TOKEN', 'HERALD_ADMIN_TOKEN', 'HERALD_DATA_DIR']) delete env[name];
  const result = spawnSync(process.execPath, [resolve(REPO_ROOT, 'cli/bin/herald.js'), ...args], { cwd: dir, env, encoding: 'utf8' });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

beforeAll(async () => {
  natsUrl = await resolveNatsUrl();
  nc = await connect({ servers: natsUrl });
  for (const file of ['cli/dist/start.js', 'gateway/dist/index.js', 'plugins/mail/dist/index.js']) {
    if (!existsSync(resolve(REPO_ROOT, file))) throw new Error(`${file} is missing: run \`npm run build\` first (npm test does it)`);
  }
  const env: Record<string, string> = { NATS_URL: natsUrl, HERALD_SUBJECT_PREFIX: prefix, HERALD_HTTP_PORT: '0', HERALD_LOG_LEVEL: 'warn' };
  for (const name of ['DATABASE_URL', 'SMTP_URL', 'HERALD_DATA_DIR', 'HERALD_SECRET_KEY', 'HERALD_ADMIN_TOKEN']) env[name] = '';
  herald = startNode('cli/start.mjs', env, [], dir);
  // The banner ends with the "Next:" hint; wait for all of it.
  await waitForOutput(herald, (out) => out.includes('npm start -- --demo seeds'), 60_000);
  apiBase = /API\s+(http:\/\/localhost:\d+)\/api\/v1/.exec(herald.output())![1]!;
  const token = readFileSync(join(dir, '.herald', 'admin-token'), 'utf8').trim();
  expect(herald.output()).toContain(token);
  api = new ApiClient(`${apiBase}/api/v1`, token);
}, 90_000);

afterAll(async () => {
  if (herald && herald.child.exitCode === null) {
    herald.child.kill('SIGKILL');
    await herald.exited;
  }
  await deleteTopology(nc, topo);
  await nc?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('npm start (all-in-one)', () => {
  it('runs with glibc malloc returning large freed blocks and PGlite on Liftoff only, re-executed under the same pid', () => {
    // the pid the test spawned is the process serving: process.execve replaced its image
    const environ = readFileSync(`/proc/${herald.child.pid}/environ`, 'utf8').split('\0');
    expect(environ).toContain('MALLOC_MMAP_THRESHOLD_=131072');
    const cmdline = readFileSync(`/proc/${herald.child.pid}/cmdline`, 'utf8').split('\0');
    expect(cmdline).toContain(resolve(REPO_ROOT, 'cli/start.mjs'));
    // embedded PGlite (no DATABASE_URL): V8's optimising tier is off for WebAssembly, before the script
    expect(cmdline.indexOf('--liftoff-only')).toBeGreaterThan(0);
    expect(cmdline.indexOf('--liftoff-only')).toBeLessThan(cmdline.indexOf(resolve(REPO_ROOT, 'cli/start.mjs')));
  });

  it('prints what it uses and where', () => {
    const out = herald.output();
    for (const line of [
      /API docs\s+http:\/\/localhost:\d+\/api\/docs/,
      /database\s+embedded PGlite in .*\.herald\/pgdata/,
      /mail\s+\.eml files in .*\.herald\/outbox/,
      /secret key\s+.*secret\.key \(generated\)/,
    ]) {
      expect(out).toMatch(line);
    }
  });

  it('turns an event published with the CLI into an alert, an .eml and decisions', async () => {
    await api.expect(201, 'PUT', '/users/u1', { username: 'ann', email: 'ann@example.com', full_name: 'Ann' });
    await api.expect(201, 'PUT', '/users/u2', { username: 'root', email: 'root@example.com', superuser: true });
    await api.expect(200, 'PUT', '/channels/mail/config', {
      enabled: true,
      settings: { team_name: 'Acme', mail_notifications_to: 'ops@example.com' },
    });
    await api.expect(200, 'PATCH', '/users/u1/settings', { events: { user_mentioned: ['alert', 'mail'] } });

    const published = cli([
      'publish',
      'user_mentioned',
      '--id',
      'aio-1',
      '--recipients',
      'ann',
      '--data',
      '{"title":"Bob mentioned you: [x] \\"quoted\\""}',
    ]);
    expect(published.stderr).toBe('');
    expect(published.status).toBe(0);
    expect(published.stdout.trim()).toBe('aio-1');

    const alerts = await waitFor(
      () => api.get<{ items: Array<{ title: string; source: string }> }>('/users/u1/alerts'),
      (r) => r.status === 200 && r.body.items.length === 1,
      20_000,
    );
    expect(alerts.body.items[0]).toMatchObject({ title: 'Bob mentioned you: [x] "quoted"', source: 'User Mentioned' });

    const outbox = join(dir, '.herald', 'outbox');
    const files = await waitFor(
      // only finished mails: the transport writes a hidden temporary file first, then renames it
      () => (existsSync(outbox) ? readdirSync(outbox).filter((name) => name.endsWith('.eml')) : []),
      (list) => list.length === 1,
      20_000,
    );
    expect(files).toHaveLength(1);
    const mail = await simpleParser(readFileSync(join(outbox, files[0]!)));
    expect(mail.subject).toBe('Acme notification: Bob mentioned you: [x] "quoted"');
    expect(mail.to).toMatchObject({ text: 'ann@example.com' });
    expect(mail.text).toContain('Hello Ann');

    const deliveries = await waitFor(
      () => api.get<{ items: Array<{ delivery_id: string; outcome: string }> }>('/deliveries?event_id=aio-1'),
      (r) => r.body.items.length === 2 && r.body.items.every((d) => d.outcome === 'delivered'),
      20_000,
    );
    expect(deliveries.body.items.map((d) => `${d.delivery_id} ${d.outcome}`).sort()).toEqual([
      'cli:aio-1:alert:user-u1 delivered',
      'cli:aio-1:mail:user-u1 delivered',
    ]);

    const decisions = await api.expect<{ column: string; decisions: Array<{ scope: string; username?: string; channels?: string[] }> }>(
      200,
      'GET',
      '/events/aio-1/decisions',
    );
    expect(decisions.column).toBe('user_mentioned');
    expect(decisions.decisions.find((d) => d.username === 'ann')?.channels?.sort()).toEqual(['alert', 'mail']);
  }, 60_000);

  it('answers CLI misuse with clear errors and exit codes', () => {
    expect(cli(['publish', 'scan_added', '--data', '{"recipients":[{"username":"ann"}]}'])).toMatchObject({
      status: 65,
      stderr: expect.stringContaining('data.recipients[0]'),
    });
    expect(cli(['frobnicate'])).toMatchObject({ status: 64, stderr: expect.stringContaining('unknown command "frobnicate"') });
    expect(cli(['publish', '--help'])).toMatchObject({ status: 0, stdout: expect.stringContaining('Usage: herald publish <type>') });
    const secret = cli(['secret']);
    expect(Buffer.from(secret.stdout.trim(), 'base64')).toHaveLength(32);
    const token = cli(['token', 'create', '--user', 'u1']);
    expect(token.status).toBe(0);
    expect(token.stdout.trim()).toMatch(/^hrld_/);
  });

  it('tails delivery statuses as they arrive', async () => {
    const tail = startNode(
      'cli/bin/herald.js',
      { NATS_URL: natsUrl, HERALD_SUBJECT_PREFIX: prefix },
      ['deliveries', 'tail', '--event', 'aio-2'],
      dir,
    );
    await new Promise((r) => setTimeout(r, 500));
    expect(cli(['publish', 'user_mentioned', '--id', 'aio-2', '--recipients', 'ann']).status).toBe(0);
    await waitForOutput(
      tail,
      (out) => out.includes('"delivery_id":"cli:aio-2:alert:user-u1"') && out.includes('"delivery_id":"cli:aio-2:mail:user-u1"'),
      20_000,
    );
    const lines = tail
      .output()
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { event_id: string; outcome: string });
    expect(lines.every((status) => status.event_id === 'aio-2' && status.outcome === 'delivered')).toBe(true);
    tail.child.kill('SIGINT');
    expect(await tail.exited).toBe(0);
  }, 30_000);

  it('stops cleanly on SIGTERM within 10 s', async () => {
    const started = Date.now();
    herald.child.kill('SIGTERM');
    const code = await herald.exited;
    expect(code).toBe(0);
    expect(Date.now() - started).toBeLessThan(10_000);
  }, 15_000);
});
