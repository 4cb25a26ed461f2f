/**
 * A NATS server that accepts the connection but never answers a request (overloaded, JetStream
 * stuck): the gateway's start-up requests time out, and the client's error says only "timeout".
 * The gateway exits saying what timed out and what to check, not "gateway failed to start: timeout".
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createServer, type Server, type Socket } from 'node:net';
import { createTestDatabase, type TestDatabase } from '../gateway/src/persistence/testing/test-database.js';
import { testGatewayEnv } from './support/gateway-config.js';
import { startNode } from './support/processes.js';

/** Speaks just enough of the NATS protocol to connect (INFO, PONG), then ignores every message. */
function silentNats(): Promise<{ server: Server; url: string }> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    socket.write(
      `INFO ${JSON.stringify({ server_id: 'silent', server_name: 'silent', version: '2.10.0', proto: 1, headers: true, max_payload: 1048576, jetstream: true })}\r\n`,
    );
    socket.on('data', (chunk: Buffer) => {
      for (const line of chunk.toString('latin1').split('\r\n')) if (line === 'PING') socket.write('PONG\r\n');
    });
  });
  server.on('close', () => sockets.forEach((s) => s.destroy()));
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      if (address === null || typeof address === 'string') throw new Error('no port');
      resolve({ server, url: `nats://127.0.0.1:${address.port}` });
    }),
  );
}

let nats: { server: Server; url: string };
let db: TestDatabase;

beforeAll(async () => {
  nats = await silentNats();
  db = await createTestDatabase();
});

afterAll(async () => {
  await db?.drop();
  await new Promise<void>((resolve) => (nats ? nats.server.close(() => resolve()) : resolve()));
});

describe('gateway start-up against a NATS server that never replies', () => {
  it('exits saying a NATS request got no reply and what to check', async () => {
    const gateway = startNode('gateway/dist/main.js', testGatewayEnv(nats.url, 'silent', db.url));
    const timer = setTimeout(() => gateway.child.kill('SIGKILL'), 60_000);
    const code = await gateway.exited;
    clearTimeout(timer);
    expect(code).toBe(1);
    expect(gateway.output()).toContain(
      'gateway failed to start: a request to NATS got no reply in time (timeout); check that the server at NATS_URL is up, responsive and has JetStream enabled, then start again',
    );
  }, 90_000);
});
