/**
 * Resolves bearer tokens to identities, for the HTTP guard and for plugins, which ask over NATS
 * (`<prefix>.internal.auth`, queue group `gateway`: one replica answers each request) with the
 * token's SHA-256 only, never the token.
 */
import { timingSafeEqual } from 'node:crypto';
import { Inject, Injectable, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import type { NatsConnection, Subscription } from '@nats-io/transport-node';
import { tokenDigest, type AuthReply, type AuthRequest, type Identity, type Logger } from '@herald/contracts';
import type { GatewayConfig } from '../config/gateway-config.js';
import { GATEWAY_CONFIG, LOGGER, NATS_CONNECTION } from '../config/tokens.js';
import { MessagingService } from '../messaging/messaging.service.js';
import { TokensService, type TokenIdentity } from '../tokens/tokens.service.js';

/** Constant-time comparison of two hex digests. */
function sameDigest(a: string, b: string): boolean {
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');
  return left.length === right.length && timingSafeEqual(left, right);
}

function toIdentity(found: TokenIdentity | null): Identity | null {
  if (found === null) return null;
  return found.kind === 'admin' ? { kind: 'admin' } : { kind: 'user', userId: found.userId };
}

@Injectable()
export class TokenAuthenticator implements OnApplicationBootstrap, OnModuleDestroy {
  private subscription: Subscription | undefined;
  private readonly adminDigest: string | undefined;

  constructor(
    private readonly tokens: TokensService,
    private readonly messaging: MessagingService,
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    @Inject(GATEWAY_CONFIG) config: GatewayConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    this.adminDigest = config.adminToken === undefined ? undefined : tokenDigest(config.adminToken);
  }

  /** The identity of a token, or `null` when it is unknown, revoked or its user inactive. */
  async identify(token: string): Promise<Identity | null> {
    if (this.isAdminToken(tokenDigest(token))) return { kind: 'admin' };
    return toIdentity(await this.tokens.verify(token));
  }

  /** As `identify`, from the token's hex SHA-256 (a plugin's question over NATS). */
  async identifyDigest(digest: string): Promise<Identity | null> {
    if (this.isAdminToken(digest)) return { kind: 'admin' };
    return toIdentity(await this.tokens.verifyDigest(digest));
  }

  private isAdminToken(digest: string): boolean {
    return this.adminDigest !== undefined && sameDigest(this.adminDigest, digest);
  }

  onApplicationBootstrap(): void {
    this.subscription = this.nc.subscribe(this.messaging.topology.subjects.internal('auth'), {
      queue: 'gateway',
      callback: (error, msg) => {
        if (error) return;
        void (async () => {
          let reply: AuthReply = { kind: 'invalid' };
          try {
            const { token_sha256: digest } = msg.json<AuthRequest>();
            const identity = typeof digest === 'string' ? await this.identifyDigest(digest) : null;
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
