/**
 * Where tests find NATS and PostgreSQL (DEVELOPERS.md): `NATS_URL` / `DATABASE_URL` when set;
 * else the local services on their standard ports when they answer; testcontainers only when
 * `TESTCONTAINERS=1` (started by the caller); otherwise a failure saying what to start.
 */
import { createConnection } from 'node:net';
import { randomBytes } from 'node:crypto';

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
  if (await answers('127.0.0.1', 4222)) return 'nats://127.0.0.1:4222';
  throw new Error(
    'No NATS server for tests: set NATS_URL, or start one with JetStream on 127.0.0.1:4222 ' +
      '(`nats-server -a 127.0.0.1 -p 4222 -js`), or set TESTCONTAINERS=1 where a Docker engine runs.',
  );
}

/** PostgreSQL URL for tests, or a thrown error that says how to get one. */
export async function resolveDatabaseUrl(env: NodeJS.ProcessEnv = process.env): Promise<string> {
  if (env['DATABASE_URL']) return env['DATABASE_URL'];
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
