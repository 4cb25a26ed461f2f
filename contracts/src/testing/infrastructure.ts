/**
 * Where tests find NATS and PostgreSQL: `NATS_URL` / `DATABASE_URL` when set; else, with
 * `TESTCONTAINERS=1`, containers started by testcontainers (NATS with JetStream, PostgreSQL), once
 * per module instance (each Jest test file has its own) and reused; else the local services on their standard ports
 * when they answer; otherwise a failure saying what to start. Without a Docker engine
 * `TESTCONTAINERS=1` fails at once with testcontainers' own error ("Could not find a working
 * container runtime strategy"). `stopTestContainers()` stops them (Herald's Jest setup calls it
 * after each test file); testcontainers' reaper removes any left when the process ends.
 */
import { createConnection } from 'node:net';
import { randomBytes } from 'node:crypto';
import type { StartedNatsContainer } from '@testcontainers/nats';
import type { StartedPostgreSqlContainer } from '@testcontainers/postgresql';

/** Images of the test containers: the versions docker-compose.yml deploys. */
export const TEST_CONTAINER_IMAGES = { nats: 'nats:2.10-alpine', postgres: 'postgres:16-alpine' } as const;

let natsContainer: Promise<StartedNatsContainer> | undefined;
let postgresContainer: Promise<StartedPostgreSqlContainer> | undefined;

function wantsContainers(env: NodeJS.ProcessEnv): boolean {
  return env['TESTCONTAINERS'] === '1';
}

async function startNatsContainer(): Promise<StartedNatsContainer> {
  const { NatsContainer } = await import('@testcontainers/nats');
  /** Herald's tests connect without credentials; the module's constructor sets user/pass "test" through these two methods. */
  class UnauthenticatedNatsContainer extends NatsContainer {
    override withUsername(): this {
      return this;
    }
    override withPass(): this {
      return this;
    }
  }
  return new UnauthenticatedNatsContainer(TEST_CONTAINER_IMAGES.nats).withJetStream().start();
}

async function startPostgresContainer(): Promise<StartedPostgreSqlContainer> {
  const { PostgreSqlContainer } = await import('@testcontainers/postgresql');
  return new PostgreSqlContainer(TEST_CONTAINER_IMAGES.postgres).withDatabase('test').start();
}

/** The NATS container of this process, started on first use; a failed start is not kept (the next call tries again). */
function natsStarted(): Promise<StartedNatsContainer> {
  natsContainer ??= startNatsContainer().catch((error: unknown) => {
    natsContainer = undefined;
    throw error;
  });
  return natsContainer;
}

/** The PostgreSQL container of this process, as `natsStarted`. */
function postgresStarted(): Promise<StartedPostgreSqlContainer> {
  postgresContainer ??= startPostgresContainer().catch((error: unknown) => {
    postgresContainer = undefined;
    throw error;
  });
  return postgresContainer;
}

/** Stops the containers this process started (if any); the next resolve starts new ones. */
export async function stopTestContainers(): Promise<void> {
  const nats = natsContainer;
  const postgres = postgresContainer;
  natsContainer = undefined;
  postgresContainer = undefined;
  await Promise.all([nats?.then((c) => c.stop()), postgres?.then((c) => c.stop())]);
}

function answers(host: string, port: number, timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host, port });
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** NATS URL for tests, or a thrown error that says how to get one. */
export async function resolveNatsUrl(env: NodeJS.ProcessEnv = process.env): Promise<string> {
  if (env['NATS_URL']) return env['NATS_URL'];
  if (wantsContainers(env)) {
    const container = await natsStarted();
    return `nats://${container.getHost()}:${container.getMappedPort(4222)}`;
  }
  if (await answers('127.0.0.1', 4222)) return 'nats://127.0.0.1:4222';
  throw new Error(
    'No NATS server for tests: set NATS_URL, or start one with JetStream on 127.0.0.1:4222 ' +
      '(`nats-server -a 127.0.0.1 -p 4222 -js`), or set TESTCONTAINERS=1 where a Docker engine runs.',
  );
}

/** PostgreSQL URL for tests, or a thrown error that says how to get one. */
export async function resolveDatabaseUrl(env: NodeJS.ProcessEnv = process.env): Promise<string> {
  if (env['DATABASE_URL']) return env['DATABASE_URL'];
  if (wantsContainers(env)) {
    const container = await postgresStarted();
    return container.getConnectionUri();
  }
  if (await answers('127.0.0.1', 5432)) return 'postgresql://postgres@127.0.0.1:5432/test';
  throw new Error(
    'No PostgreSQL for tests: set DATABASE_URL, or start the local cluster ' +
      '(`pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start`), or set TESTCONTAINERS=1 where a Docker engine runs.',
  );
}

/** A subject prefix unique to one test file or case, e.g. `t_1f3a9c0b`. */
export function uniquePrefix(label = 't'): string {
  return `${label.replace(/[^a-z0-9]/gi, '_').toLowerCase()}_${randomBytes(4).toString('hex')}`;
}
