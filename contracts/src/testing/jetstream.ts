/**
 * JetStream helpers for tests: remove a test prefix's streams, and read what landed on a subject.
 */
import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import type { Topology } from '../topology.js';

/** Deletes every stream and KV bucket of a (test) topology; missing ones are ignored. */
export async function deleteTopology(nc: NatsConnection, topo: Topology): Promise<void> {
  const jsm = await jetstreamManager(nc);
  for (const def of Object.values(topo.streams)) {
    await jsm.streams.delete(def.name).catch(() => false);
  }
  const kvPrefix = `KV_${topo.subjects.prefix.replace(/[.-]/g, '_')}_`;
  for await (const name of jsm.streams.names()) {
    if (name.startsWith(kvPrefix)) await jsm.streams.delete(name).catch(() => false);
  }
}

export interface StoredMessage {
  readonly subject: string;
  readonly seq: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly data: Uint8Array;
  json<T = unknown>(): T;
}

/**
 * Every message currently stored in `stream` on subjects matching `filter` (default: all), read
 * through an ephemeral ordered walk of the stream (nothing is acknowledged or removed).
 */
export async function readStream(nc: NatsConnection, stream: string, filter?: string): Promise<StoredMessage[]> {
  const jsm: JetStreamManager = await jetstreamManager(nc);
  const info = await jsm.streams.info(stream);
  const out: StoredMessage[] = [];
  if (info.state.messages === 0) return out;
  const s = await jsm.streams.get(stream);
  for (let seq = info.state.first_seq; seq <= info.state.last_seq; seq++) {
    const m = await s.getMessage({ seq }).catch(() => null);
    if (!m) continue;
    if (filter && !subjectMatches(filter, m.subject)) continue;
    const headers: Record<string, string> = {};
    if (m.header) for (const key of m.header.keys()) headers[key] = m.header.get(key);
    out.push({ subject: m.subject, seq: m.seq, headers, data: m.data, json: <T>() => JSON.parse(new TextDecoder().decode(m.data)) as T });
  }
  return out;
}

/** NATS wildcard match: `*` one token, `>` the rest. */
export function subjectMatches(pattern: string, subject: string): boolean {
  const p = pattern.split('.');
  const s = subject.split('.');
  for (let i = 0; i < p.length; i++) {
    if (p[i] === '>') return s.length > i;
    if (i >= s.length) return false;
    if (p[i] !== '*' && p[i] !== s[i]) return false;
  }
  return p.length === s.length;
}

/** Polls `read` until `done` holds or `timeoutMs` passes; returns the last value read. */
export async function waitFor<T>(read: () => T | Promise<T>, done: (value: T) => boolean, timeoutMs = 10_000, intervalMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let value = await read();
  while (!done(value) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
    value = await read();
  }
  return value;
}
