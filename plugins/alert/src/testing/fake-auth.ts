/**
 * Test support: answers the gateway's token check (`<prefix>.internal.auth`, the real protocol of
 * `authenticateViaGateway`) from a fixed table, over a real NATS subscription. Unknown tokens are
 * `invalid`, as the gateway answers them.
 */
import type { NatsConnection, Subscription } from '@nats-io/transport-node';
import { subjects, type AuthReply, type AuthRequest } from '@herald/contracts';

export async function serveFakeAuth(
  nc: NatsConnection,
  prefix: string,
  tokens: Readonly<Record<string, AuthReply>>,
): Promise<Subscription> {
  const subscription = nc.subscribe(subjects(prefix).internal('auth'), {
    queue: 'gateway',
    callback: (error, msg) => {
      if (error) return;
      const { token } = msg.json<AuthRequest>();
      const reply: AuthReply = tokens[token] ?? { kind: 'invalid' };
      msg.respond(JSON.stringify(reply));
    },
  });
  await nc.flush();
  return subscription;
}
