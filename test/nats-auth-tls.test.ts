/**
 * NATS authentication, per-user subject permissions and TLS, against a private nats-server (own
 * port and store, JetStream) whose config holds one user per deployable with only the permissions
 * the README lists, TLS with a CA, server and client certificates made here with `openssl`, and
 * client certificates required:
 * - the gateway (NKey seed file, in-process, configuration parsed from the environment), the alert
 *   and webhooks plugins (user/password, their real entrypoints as child processes) and the CLI
 *   publisher (user/password) each work with their own permissions, end to end: an event
 *   published by the CLI becomes an alert that the alert API (token checked over NATS) lists; the
 *   webhooks API authenticates; both plugins answer the gateway scheduler's maintenance requests;
 * - a publish outside a user's permissions fails at once, naming the subject;
 * - wrong credentials and a missing client certificate are refused.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jetstream } from '@nats-io/jetstream';
import { connect, nkeys, type NatsConnection } from '@nats-io/transport-node';
import { connectNats, loadNatsEnv, pluginBuckets, silentLogger, topology } from '@herald/contracts';
import { waitFor, reservedPort } from '@herald/contracts/testing';
import { main as cli } from '../cli/src/herald.js';
import { parseGatewayConfig } from '../gateway/src/config/gateway-config.js';
import { startGateway, type RunningGateway } from '../gateway/src/gateway.js';
import { createTestDatabase, type TestDatabase } from '../gateway/src/persistence/testing/test-database.js';
import { ApiClient } from './support/api-client.js';
import { TEST_ADMIN_TOKEN, TEST_SECRET_KEY, testGatewayEnv } from './support/gateway-config.js';
import { SchedulerService } from '../gateway/src/scheduler/scheduler.service.js';
import { startNode, waitForOutput, type ChildHandle } from './support/processes.js';

const prefix = `natsauth${process.pid}`;
const topo = topology({ prefix });
const P = prefix.toUpperCase();
const buckets = pluginBuckets(prefix);
const dir = mkdtempSync(join(tmpdir(), 'herald-nats-auth-'));
const file = (name: string): string => join(dir, name);
let port: number;
let server: ChildProcess | undefined;
let serverLog = '';
let url: string;
let db: TestDatabase;
let gateway: RunningGateway;
let alertPlugin: ChildHandle | undefined;
let webhooksPlugin: ChildHandle | undefined;
let alertApi: ApiClient;
let webhooksApi: ApiClient;
let admin: ApiClient;

const PASSWORDS = {
  alert: 'alert-secret-1',
  webhooks: 'webhooks-secret-1',
  publisher: 'publisher-secret-1',
  inspector: 'inspector-secret-1',
};
const gatewayKey = nkeys.createUser();

/** The TLS variables every client here sets. */
const tlsEnv = (): Record<string, string> => ({
  NATS_TLS_CA_FILE: file('ca.pem'),
  NATS_TLS_CERT_FILE: file('client.pem'),
  NATS_TLS_KEY_FILE: file('client-key.pem'),
});

function openssl(...args: string[]): void {
  const result = spawnSync('openssl', args, { cwd: dir, encoding: 'utf8' });
  if (result.error) throw new Error(`the openssl CLI is needed to make test certificates: ${result.error.message}`);
  if (result.status !== 0) throw new Error(`openssl ${args.join(' ')} failed:\n${result.stderr}`);
}

/** A CA, a server certificate for 127.0.0.1 and a client certificate, P-256 keys, valid one day. */
function makeCertificates(): void {
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  openssl('req', '-x509', ...ec, '-keyout', 'ca-key.pem', '-out', 'ca.pem', '-days', '1', '-subj', '/CN=Herald test CA');
  for (const [name, ext] of [
    ['server', 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n'],
    ['client', 'extendedKeyUsage=clientAuth\n'],
  ] as const) {
    writeFileSync(file(`${name}.ext`), ext);
    openssl('req', ...ec, '-keyout', `${name}-key.pem`, '-out', `${name}.csr`, '-subj', `/CN=herald-${name}`);
    openssl(
      'x509',
      '-req',
      '-in',
      `${name}.csr`,
      '-CA',
      'ca.pem',
      '-CAkey',
      'ca-key.pem',
      '-CAcreateserial',
      '-out',
      `${name}.pem`,
      '-days',
      '1',
      '-extfile',
      `${name}.ext`,
    );
  }
}

const list = (subjects: readonly string[]): string => `[${subjects.map((s) => JSON.stringify(s)).join(', ')}]`;

/** The permissions the README lists for each deployable, for this prefix. */
function serverConfig(): string {
  const gateway = {
    publish: [
      '$JS.API.>',
      `${prefix}.events.>`,
      `${prefix}.directory.>`,
      `${prefix}.deliver.>`,
      `${prefix}.dead.>`,
      `${prefix}.commands.>`,
      `${prefix}.internal.>`,
      ...['EVENTS', 'DIRECTORY', 'STATUS', 'DEAD'].map((stream) => `$JS.ACK.${P}_${stream}.>`),
      ...['gateways', 'event_ledger', 'failure_alerts', 'scheduler', 'channel_config'].map((bucket) => `$KV.${prefix}_${bucket}.>`),
      '_INBOX.>',
    ],
    subscribe: ['_INBOX.>', `${prefix}.internal.auth`, `${prefix}.internal.invalidate`],
  };
  const alert = {
    publish: [
      '$JS.API.>',
      `${prefix}.status.alert`,
      `${prefix}.dead.deliver.alert`,
      `$JS.ACK.${P}_DELIVER.alert.>`,
      `$KV.${buckets.plugins}.alert.>`,
      `$KV.${buckets.deliveries('alert')}.>`,
      `${prefix}.internal.auth`,
      `${prefix}.internal.alerts.>`,
      '_INBOX.>',
    ],
    subscribe: ['_INBOX.>', `${prefix}.internal.alert-retention`, `${prefix}.internal.alerts.>`],
  };
  const webhooks = {
    publish: [
      '$JS.API.>',
      `${prefix}.status.webhooks`,
      `${prefix}.dead.deliver.webhooks`,
      `$JS.ACK.${P}_DELIVER.webhooks.>`,
      `$KV.${buckets.plugins}.webhooks.>`,
      `$KV.${buckets.deliveries('webhooks')}.>`,
      `${prefix}.internal.auth`,
      '_INBOX.>',
    ],
    subscribe: ['_INBOX.>', `${prefix}.internal.webhooks-sweep`],
  };
  const publisher = { publish: [`${prefix}.events.user_mentioned`], subscribe: ['_INBOX.>'] };
  const permissions = (p: { publish: string[]; subscribe: string[] }): string =>
    `{ publish: { allow: ${list(p.publish)} }, subscribe: { allow: ${list(p.subscribe)} } }`;
  return `
listen: "127.0.0.1:${port}"
jetstream { store_dir: ${JSON.stringify(file('store'))} }
tls {
  cert_file: ${JSON.stringify(file('server.pem'))}
  key_file: ${JSON.stringify(file('server-key.pem'))}
  ca_file: ${JSON.stringify(file('ca.pem'))}
  verify: true
  timeout: 5
}
authorization {
  users: [
    { nkey: ${JSON.stringify(gatewayKey.getPublicKey())}, permissions: ${permissions(gateway)} }
    { user: "alert", password: ${JSON.stringify(PASSWORDS.alert)}, permissions: ${permissions(alert)} }
    { user: "webhooks", password: ${JSON.stringify(PASSWORDS.webhooks)}, permissions: ${permissions(webhooks)} }
    { user: "publisher", password: ${JSON.stringify(PASSWORDS.publisher)}, permissions: ${permissions(publisher)} }
    { user: "inspector", password: ${JSON.stringify(PASSWORDS.inspector)} }
  ]
}
`;
}

/** A connection as `inspector` (all permissions), the way every Herald process connects. */
function inspect(): Promise<NatsConnection> {
  const env = loadNatsEnv({ NATS_URL: url, NATS_USER: 'inspector', NATS_PASSWORD: PASSWORDS.inspector, ...tlsEnv() }, 'the test');
  return connectNats({ url: env.url, name: 'inspector', security: env.security, timeoutMs: 2_000 });
}

beforeAll(async () => {
  makeCertificates();
  writeFileSync(file('gateway.nk'), `${new TextDecoder().decode(gatewayKey.getSeed())}\n`, { mode: 0o600 });
  port = await reservedPort();
  url = `tls://127.0.0.1:${port}`;
  writeFileSync(file('nats.conf'), serverConfig());
  server = spawn('/usr/sbin/nats-server', ['-c', file('nats.conf')], { stdio: ['ignore', 'ignore', 'pipe'] });
  server.stderr?.on('data', (chunk: Buffer) => (serverLog += chunk.toString()));
  await waitFor(
    () =>
      inspect().then(
        (nc) => nc.close().then(() => true),
        () => false,
      ),
    (up) => up,
    10_000,
    100,
  ).catch((error: unknown) => {
    throw new Error(`the private nats-server did not accept the inspector: ${(error as Error).message}\n${serverLog}`);
  });

  db = await createTestDatabase();
  const config = parseGatewayConfig(testGatewayEnv(url, prefix, db.url, { NATS_NKEY_SEED_FILE: file('gateway.nk'), ...tlsEnv() }));
  gateway = await startGateway({ config, logger: silentLogger });
  admin = new ApiClient(`http://127.0.0.1:${gateway.port}/api/v1`, TEST_ADMIN_TOKEN);

  const [alertPort, webhooksPort] = [await reservedPort(), await reservedPort()];
  const pluginEnv = (user: 'alert' | 'webhooks', httpPort: number): Record<string, string> => ({
    NATS_URL: url,
    NATS_USER: user,
    NATS_PASSWORD: PASSWORDS[user],
    ...tlsEnv(),
    DATABASE_URL: db.url,
    HERALD_SUBJECT_PREFIX: prefix,
    HERALD_SECRET_KEY: TEST_SECRET_KEY,
    HERALD_PLUGIN_HTTP_PORT: String(httpPort),
    HERALD_LOG_LEVEL: 'info',
  });
  alertPlugin = startNode('plugins/alert/dist/main.js', pluginEnv('alert', alertPort));
  webhooksPlugin = startNode('plugins/webhooks/dist/main.js', pluginEnv('webhooks', webhooksPort));
  await Promise.all([
    waitForOutput(alertPlugin, (out) => out.includes('alert plugin started'), 20_000),
    waitForOutput(webhooksPlugin, (out) => out.includes('webhooks plugin started'), 20_000),
  ]);
  alertApi = new ApiClient(`http://127.0.0.1:${alertPort}/api/v1`);
  webhooksApi = new ApiClient(`http://127.0.0.1:${webhooksPort}/api/v1`);
}, 60_000);

afterAll(async () => {
  for (const plugin of [alertPlugin, webhooksPlugin]) plugin?.child.kill('SIGTERM');
  await Promise.all([alertPlugin?.exited, webhooksPlugin?.exited]);
  await gateway?.close();
  await db?.drop();
  if (server && server.exitCode === null) {
    const exited = new Promise((resolve) => server!.once('exit', resolve));
    server.kill('SIGTERM');
    await exited;
  }
  rmSync(dir, { recursive: true, force: true });
}, 30_000);

describe('Herald on a NATS server with users, per-user subject permissions and TLS', () => {
  it('routes an event published by the CLI to the alert plugin, each with only its own permissions', async () => {
    await admin.expect(201, 'PUT', '/users/u1', { username: 'ann', email: 'ann@example.com' });
    const { token } = await admin.expect<{ token: string }>(201, 'POST', '/tokens', { user_id: 'u1' });
    const out: string[] = [];
    const err: string[] = [];
    const env = { NATS_URL: url, NATS_USER: 'publisher', NATS_PASSWORD: PASSWORDS.publisher, HERALD_SUBJECT_PREFIX: prefix, ...tlsEnv() };
    const data = JSON.stringify({ title: 'You were mentioned', alert_only: true });
    const code = await cli(
      ['publish', 'user_mentioned', '--data', data, '--recipients', 'ann', '--id', 'mention-1'],
      env,
      (l) => out.push(l),
      (l) => err.push(l),
    );
    expect({ code, err }).toEqual({ code: 0, err: [] });
    expect(out).toEqual(['mention-1']);

    const ann = alertApi.withToken(token);
    const alerts = await waitFor(
      () => ann.get<{ items: Array<{ title: string }> }>('/users/u1/alerts'),
      (res) => res.status === 200 && res.body.items.length === 1,
      15_000,
    );
    expect(alerts.body.items[0]?.title).toBe('You were mentioned');
    expect((await ann.get('/users/u2/alerts')).status).toBe(403);
  });

  it("serves the webhooks API with its own permissions, and both plugins answer the gateway's maintenance requests", async () => {
    expect((await webhooksApi.withToken(TEST_ADMIN_TOKEN).get('/webhooks')).status).toBe(200);
    expect((await webhooksApi.withToken('hrld_unknown').get('/webhooks')).status).toBe(401);
    const scheduler = gateway.app.get(SchedulerService);
    expect(await scheduler.jobs['alert-retention']()).toEqual({ deleted: 0 });
    expect(await scheduler.jobs['webhook-sweep']()).toMatchObject({ reactivated: 0 });
  });

  it('refuses a CLI publish outside the publisher permissions at once, naming the subject', async () => {
    const err: string[] = [];
    const env = { NATS_URL: url, NATS_USER: 'publisher', NATS_PASSWORD: PASSWORDS.publisher, HERALD_SUBJECT_PREFIX: prefix, ...tlsEnv() };
    const started = Date.now();
    const code = await cli(
      ['publish', 'scan_added', '--data', '{"product":{"id":"1","name":"Web"}}'],
      env,
      () => undefined,
      (l) => err.push(l),
    );
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(code).not.toBe(0);
    expect(err.join('\n')).toMatch(new RegExp(`Permissions Violation for Publish to "?${prefix}\\.events\\.scan_added`));
  });

  it("refuses the alert plugin's user a publish to another channel's subjects, naming the subject", async () => {
    const env = loadNatsEnv({ NATS_URL: url, NATS_USER: 'alert', NATS_PASSWORD: PASSWORDS.alert, ...tlsEnv() }, 'the test');
    const nc = await connectNats({ url: env.url, name: 'alert-as-intruder', security: env.security });
    try {
      const started = Date.now();
      await expect(jetstream(nc).publish(topo.subjects.status('mail'), '{}')).rejects.toThrow(
        `Permissions Violation for Publish to "${prefix}.status.mail"`,
      );
      expect(Date.now() - started).toBeLessThan(3_000);
    } finally {
      await nc.close();
    }
  });

  it('logs no permission violation on the server but the two provoked above', async () => {
    const violationLines = (): string[] => serverLog.split('\n').filter((line) => /violation/i.test(line));
    const violations = await waitFor(violationLines, (lines) => lines.length >= 2, 3_000).catch(() => violationLines());
    expect(violations).toHaveLength(2);
    expect(violations[0]).toMatch(new RegExp(`Publish Violation.*"publisher".*${prefix}\\.events\\.scan_added`));
    expect(violations[1]).toMatch(new RegExp(`Publish Violation.*"alert".*${prefix}\\.status\\.mail`));
  });

  it('stops the CLI before connecting when a NATS file is missing, naming the variable (exit 78)', async () => {
    const err: string[] = [];
    const missing = file('missing-client.pem');
    const env = { NATS_URL: url, ...tlsEnv(), NATS_TLS_CERT_FILE: missing };
    expect(
      await cli(
        ['deliveries', 'tail'],
        env,
        () => undefined,
        (l) => err.push(l),
      ),
    ).toBe(78);
    expect(err.join('\n')).toContain(`NATS_TLS_CERT_FILE: no file at "${missing}": it must name a PEM client certificate`);
  });

  it('refuses a wrong password, and a client without a certificate', async () => {
    const wrong = loadNatsEnv({ NATS_URL: url, NATS_USER: 'alert', NATS_PASSWORD: 'wrong', ...tlsEnv() }, 'the test');
    await expect(connectNats({ url: wrong.url, name: 'wrong', security: wrong.security, timeoutMs: 2_000 })).rejects.toThrow(
      /Cannot connect to NATS.*(Authorization Violation|authorization)/i,
    );
    const noCert = loadNatsEnv(
      { NATS_URL: url, NATS_USER: 'alert', NATS_PASSWORD: PASSWORDS.alert, NATS_TLS_CA_FILE: file('ca.pem') },
      'the test',
    );
    await expect(connectNats({ url: noCert.url, name: 'no-cert', security: noCert.security, timeoutMs: 2_000 })).rejects.toThrow(
      /Cannot connect to NATS/,
    );
    await expect(connect({ servers: `127.0.0.1:${port}`, user: 'alert', pass: PASSWORDS.alert, timeout: 2_000 })).rejects.toThrow();
  });
});
