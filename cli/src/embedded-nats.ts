/**
 * NATS for the all-in-one process (SPEC §10): use `NATS_URL` when something answers there; else,
 * when a `nats-server` binary is on PATH and the URL is local, start one with JetStream storing
 * under `<data dir>/nats`, and stop it on exit. Otherwise fail saying exactly how to get one.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { createConnection } from 'node:net';
import { delimiter, join } from 'node:path';
import { HeraldError } from '@herald/contracts';

export interface EmbeddedNats {
  readonly url: string;
  /** `started` when this process runs the server. */
  readonly source: 'external' | 'started';
  stop(): Promise<void>;
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

function findOnPath(binary: string, env: Readonly<Record<string, string | undefined>>): string | undefined {
  for (const dir of [...(env['PATH'] ?? '').split(delimiter), '/usr/sbin', '/usr/local/sbin']) {
    const candidate = join(dir, binary);
    if (dir !== '' && existsSync(candidate)) return candidate;
  }
  return undefined;
}

export async function ensureNats(url: string, dataDir: string, env: Readonly<Record<string, string | undefined>>): Promise<EmbeddedNats> {
  const first = new URL(url.split(',')[0]!.trim());
  const host = first.hostname || '127.0.0.1';
  const port = Number(first.port || 4222);
  if (await answers(host, port)) return { url, source: 'external', stop: () => Promise.resolve() };
  const local = ['127.0.0.1', 'localhost', '::1', '[::1]'].includes(host);
  const binary = findOnPath('nats-server', env);
  if (!local || binary === undefined) {
    throw new HeraldError(
      'infrastructure_unavailable',
      `Nothing answers at ${url}, and ${binary === undefined ? 'no nats-server binary is on PATH' : `${host} is not this machine`}. ` +
        'Install one (Debian: `apt-get install nats-server`) and run `nats-server -js`, or set NATS_URL to a JetStream-enabled server.',
    );
  }
  const storeDir = join(dataDir, 'nats');
  mkdirSync(storeDir, { recursive: true });
  const child: ChildProcess = spawn(binary, ['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', storeDir], { stdio: 'ignore' });
  for (let i = 0; i < 100 && !(await answers('127.0.0.1', port)); i++) {
    if (child.exitCode !== null) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  if (!(await answers('127.0.0.1', port))) {
    child.kill('SIGKILL');
    throw new HeraldError(
      'infrastructure_unavailable',
      `Started ${binary} but it did not answer on 127.0.0.1:${port}; run \`nats-server -js\` yourself to see why.`,
    );
  }
  return {
    url: `nats://127.0.0.1:${port}`,
    source: 'started',
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
