/**
 * Test support: answers the gateway's token check (`<prefix>.internal.auth`, the real protocol of
 * `authenticateViaGateway`) from a fixed table, over a real NATS subscription. Unknown tokens are
 * `invalid`, as the gateway answers them.
 */
import type { NatsConnection, Subscription } from '@nats-io/transport-node';
import { subjects, tokenDigest, type AuthReply, type AuthRequest } from '@herald/contracts';

export async function serveFakeAuth(
  nc: NatsConnection,
  prefix: string,
  tokens: Readonly<Record<string, AuthReply>>,
): Promise<Subscription> {
  const byDigest = new Map(Object.entries(tokens).map(([token, reply]) => [tokenDigest(token), reply]));
  const subscription = nc.subscribe(subjects(prefix).internal('auth'), {
    queue: 'gateway',
    callback: (error, msg) => {
      if (error) return;
      const { token_sha256: digest } = msg.json<AuthRequest>();
      const reply: AuthReply = byDigest.get(digest) ?? { kind: 'invalid' };
      msg.respond(JSON.stringify(reply));
    },
  });
  await nc.flush();
  return subscription;
}
