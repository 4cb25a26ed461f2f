import { afterEach, describe, expect, it } from '@jest/globals';
import http from 'node:http';
import { startHttpReceiver, type HttpReceiver } from '../testing/http-receiver.js';
import { keepAliveAgents } from './keep-alive-agents.js';

let receiver: HttpReceiver | undefined;
afterEach(async () => {
  await receiver?.close();
  receiver = undefined;
});

const get = (url: string, agent: http.Agent) =>
  new Promise<number>((resolve, reject) => {
    http
      .get(url, { agent }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      })
      .on('error', reject);
  });

describe('keepAliveAgents', () => {
  it('reuses one connection for requests in a row and closes it once idle for idleMs', async () => {
    receiver = await startHttpReceiver((_req, res) => res.end('ok'));
    const closed: number[] = [];
    const agents = keepAliveAgents(300);
    for (let i = 0; i < 5; i++) expect(await get(`${receiver.base}/x`, agents.http)).toBe(200);
    expect(receiver.connections()).toBe(1);
    const socket = Object.values(agents.http.freeSockets).flat()[0];
    if (socket === undefined) throw new Error('no pooled connection');
    socket.on('close', () => closed.push(Date.now()));
    const idleFrom = Date.now();
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(closed).toHaveLength(1);
    expect(closed[0]! - idleFrom).toBeGreaterThanOrEqual(250);
    expect(await get(`${receiver.base}/y`, agents.http)).toBe(200);
    expect(receiver.connections()).toBe(2);
  });

  it('defaults to 4 s idle, most recently used first, for http and https', () => {
    const agents = keepAliveAgents();
    // Node keeps an agent's options on it (not in its type declarations)
    for (const agent of [agents.http, agents.https] as unknown as { options: unknown }[]) {
      expect(agent.options).toMatchObject({ keepAlive: true, scheduling: 'lifo', timeout: 4_000 });
    }
  });
});
