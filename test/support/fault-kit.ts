/**
 * What the fault tests share: Herald's real deployables as child processes (gateway, alert and
 * webhooks plugins), a local webhook receiver, terminating one database's connections, and the
 * count every fault test reports — published, expected, received, lost, duplicates and where the
 * duplicate ids come from.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import pg from 'pg';
import { startNode, waitForOutput, type ChildHandle } from './processes.js';
import { TEST_ADMIN_TOKEN, TEST_SECRET_KEY, testGatewayEnv } from './gateway-config.js';

export type Deployable = 'gateway' | 'alert' | 'webhooks';

export interface FaultEnv {
  readonly natsUrl: string;
  readonly databaseUrl: string;
  readonly prefix: string;
}

/** Starts one deployable with the production entrypoint; HTTP port chosen by the OS, logs at info. */
export function startDeployable(kind: Deployable, env: FaultEnv, extra: Record<string, string> = {}): ChildHandle {
  if (kind === 'gateway') {
    return startNode(
      'gateway/dist/main.js',
      testGatewayEnv(env.natsUrl, env.prefix, env.databaseUrl, { HERALD_LOG_LEVEL: 'info', ...extra }),
    );
  }
  return startNode(`plugins/${kind}/dist/main.js`, {
    NATS_URL: env.natsUrl,
    DATABASE_URL: env.databaseUrl,
    HERALD_SUBJECT_PREFIX: env.prefix,
    HERALD_PLUGIN_HTTP_PORT: '0',
    HERALD_LOG_LEVEL: 'info',
    HERALD_SECRET_KEY: TEST_SECRET_KEY,
    HERALD_WEBHOOKS_ALLOW_PRIVATE: '127.0.0.0/8',
    ...extra,
  });
}

/** Waits for the "started" line and returns the port the real HTTP server listens on. */
export async function waitStarted(kind: Deployable, child: ChildHandle, timeoutMs = 30_000): Promise<number> {
  const marker = kind === 'gateway' ? '"gateway started"' : `"${kind} plugin started"`;
  await waitForOutput(child, (out) => out.includes(marker), timeoutMs);
  const line = child
    .output()
    .split('\n')
    .find((l) => l.includes(marker))!;
  return Number(/"http_port":(\d+)/.exec(line)![1]);
}

/** `GET /health/ready` status code, or 0 when nothing answers. */
export async function readyStatus(port: number): Promise<number> {
  try {
    return (await fetch(`http://127.0.0.1:${port}/health/ready`, { signal: AbortSignal.timeout(3_000) })).status;
  } catch {
    return 0;
  }
}

/** Terminates every connection to `databaseUrl`'s database but the caller's (what a server restart does to clients). */
export async function terminateBackends(databaseUrl: string): Promise<number> {
  const maintenance = new URL(databaseUrl);
  maintenance.pathname = '/postgres';
  const client = new pg.Client({ connectionString: maintenance.toString() });
  await client.connect();
  try {
    const database = new URL(databaseUrl).pathname.slice(1);
    const result = await client.query<{ done: boolean }>(
      'select pg_terminate_backend(pid) as done from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()',
      [database],
    );
    return result.rows.filter((r) => r.done).length;
  } finally {
    await client.end();
  }
}

/** A local webhook receiver recording the `webhook-id` (the delivery id) of every POST (answers 200). */
export interface WebhookReceiver {
  readonly url: string;
  /** `webhook-id` of every request received, in order. */
  readonly ids: string[];
  close(): Promise<void>;
}

export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const ids: string[] = [];
  const server: Server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      ids.push(String(req.headers['webhook-id'] ?? 'missing'));
      res.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    ids,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** Creates a system webhook endpoint (no owner), signing, so every POST carries `webhook-id`. */
export async function createSystemEndpoint(webhooksPort: number, url: string): Promise<void> {
  const res = await fetch(`http://127.0.0.1:${webhooksPort}/api/v1/webhooks`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      name: `sink-${Date.now()}`,
      url,
      skip_ping: true,
      signing_secrets: [`whsec_${Buffer.from('fault-test-signing-secret-32-bytes!').toString('base64')}`],
    }),
  });
  if (res.status !== 201) throw new Error(`creating the webhook endpoint answered ${res.status}: ${await res.text()}`);
}

export interface Tally {
  readonly published: number;
  readonly expected: number;
  readonly received: number;
  readonly lost: number;
  readonly duplicates: number;
  /** Ids received that were never expected. */
  readonly unexpected: number;
  /** Each id received more than once, with how often. */
  readonly duplicateIds: Readonly<Record<string, number>>;
}

/** Counts `received` ids against `expected` ids and prints the figures under `label`. */
export function tally(label: string, published: number, expected: readonly string[], received: readonly string[]): Tally {
  const counts = new Map<string, number>();
  for (const id of received) counts.set(id, (counts.get(id) ?? 0) + 1);
  const expectedSet = new Set(expected);
  const duplicateIds = Object.fromEntries([...counts].filter(([, n]) => n > 1));
  const result: Tally = {
    published,
    expected: expected.length,
    received: received.length,
    lost: expected.filter((id) => !counts.has(id)).length,
    duplicates: received.length - counts.size,
    unexpected: [...counts.keys()].filter((id) => !expectedSet.has(id)).length,
    duplicateIds,
  };
  process.stdout.write(`[fault figures] ${label}: ${JSON.stringify(result)}\n`);
  return result;
}

/** Messages a plugin process settled so far (its `delivery attempt` log lines). */
export const settledCount = (child: ChildHandle): number => (child.output().match(/"delivery attempt"/g) ?? []).length;
