/**
 * Resolves bearer tokens to identities, for the HTTP guard and for plugins, which ask over NATS
 * (`<prefix>.internal.auth`, queue group `gateway`: one replica answers each request).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { Inject, Injectable, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import type { NatsConnection, Subscription } from '@nats-io/transport-node';
import type { AuthReply, AuthRequest, Identity, Logger } from '@herald/contracts';
import type { GatewayConfig } from '../config/gateway-config.js';
import { GATEWAY_CONFIG, LOGGER, NATS_CONNECTION } from '../config/tokens.js';
import { MessagingService } from '../messaging/messaging.service.js';
import { TokensService } from '../tokens/tokens.service.js';

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

@Injectable()
export class TokenAuthenticator implements OnApplicationBootstrap, OnModuleDestroy {
  private subscription: Subscription | undefined;

  constructor(
    private readonly tokens: TokensService,
    private readonly messaging: MessagingService,
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /** The identity of a token, or `null` when it is unknown or revoked. */
  async identify(token: string): Promise<Identity | null> {
    const admin = this.config.adminToken;
    if (admin !== undefined && timingSafeEqual(digest(admin), digest(token))) return { kind: 'admin' };
    const found = await this.tokens.verify(token);
    if (found === null) return null;
    return found.kind === 'admin' ? { kind: 'admin' } : { kind: 'user', userId: found.userId };
  }

  onApplicationBootstrap(): void {
    this.subscription = this.nc.subscribe(this.messaging.topology.subjects.internal('auth'), {
      queue: 'gateway',
      callback: (error, msg) => {
        if (error) return;
        void (async () => {
          let reply: AuthReply = { kind: 'invalid' };
          try {
            const { token } = msg.json<AuthRequest>();
            const identity = typeof token === 'string' ? await this.identify(token) : null;
            if (identity !== null) reply = identity.kind === 'admin' ? { kind: 'admin' } : { kind: 'user', user_id: identity.userId };
          } catch (err) {
            this.logger.warn('token check for a plugin failed', { error: err });
          }
          msg.respond(JSON.stringify(reply));
        })();
      },
    });
  }

  onModuleDestroy(): void {
    this.subscription?.unsubscribe();
  }
}
