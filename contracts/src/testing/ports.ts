import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

/** The kernel's ephemeral port range (`listen(0)` and outgoing connections draw from it). */
function ephemeralRange(): [number, number] {
  try {
    const [low, high] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
    if (low !== undefined && high !== undefined && Number.isInteger(low) && Number.isInteger(high)) return [low, high];
  } catch {
    // Not Linux: fall through to the IANA range.
  }
  return [49_152, 65_535];
}

function bindable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });
}

/**
 * A loopback port that is free now, for a server a test starts later (a nats-server spawned after
 * the processes that connect to it, a proxy opened once a test has seen a dependency down, a server
 * restarted on the same port). It lies below the kernel's ephemeral range, so no `listen(0)` of a
 * test running in parallel and no outgoing connection can take it in the meantime, which a port
 * obtained from `listen(0)` and closed again does not guarantee.
 */
export async function reservedPort(): Promise<number> {
  const [ephemeralLow] = ephemeralRange();
  const high = Math.min(ephemeralLow, 65_536);
  const low = Math.max(1_024, high - 12_000);
  for (let attempt = 0; attempt < 100; attempt++) {
    const port = low + Math.floor(Math.random() * (high - low));
    if (await bindable(port)) return port;
  }
  throw new Error(`no free loopback port between ${low} and ${high - 1} after 100 attempts`);
}
