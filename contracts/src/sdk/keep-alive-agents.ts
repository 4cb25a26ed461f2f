/**
 * HTTP agents for a plugin's outbound requests (Slack, Teams, webhooks): connections are kept
 * alive and reused across sends, so a message costs no TCP or TLS handshake, and an idle one is
 * closed after `idleMs`. That is shorter than the 5 s idle timeout of Node's own servers (and the
 * longer ones of common proxies), so the pool does not hand out a connection the server is closing
 * at that moment (the request would fail with ECONNRESET, and a webhook endpoint would be marked
 * down for a minute). Most recently used first (`lifo`, as Node's global agent), so the extra
 * connections of a burst go idle and close.
 */
import http from 'node:http';
import https from 'node:https';

export interface KeepAliveAgents {
  readonly http: http.Agent;
  readonly https: https.Agent;
}

/** @param idleMs how long an unused connection stays open, ms. @default 4000 */
export function keepAliveAgents(idleMs = 4_000): KeepAliveAgents {
  const options = { keepAlive: true, scheduling: 'lifo' as const, timeout: idleMs };
  return { http: new http.Agent(options), https: new https.Agent(options) };
}
