/**
 * Directory events (`herald.directory.<kind>.<action>`, same envelope as events) → idempotent
 * upserts and deletes, then a snapshot invalidation on every replica. A malformed or invalid
 * directory event is dead-lettered with the reasons. A Nest microservice handler served by
 * `JetStreamTransport` on the `gateway-directory` durable, one message at a time.
 */
import { Inject } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import {
  decodeJson,
  envelopeSchema,
  formatIssues,
  hasErrorCode,
  inspectJson,
  pathIdIssue,
  toValidationIssues,
  type HandlerOutcome,
  type Logger,
  type ReceivedMessage,
} from '@herald/contracts';
import { LOGGER } from '../config/tokens.js';
import { DirectoryService } from '../directory/directory.service.js';
import { JetStreamController } from '../messaging/jetstream-controller.decorator.js';
import { ChangeNotifier } from '../snapshot/change-notifier.js';
import { CONSUMER_PATTERNS, type ConsumerPayloads } from './gateway-consumers.js';

type Data = Record<string, unknown>;

function str(data: Data, key: string): string | undefined {
  const value = data[key];
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

/** The first of `keys` whose value is not a valid directory id (same rule as API path ids). */
function badId(data: Data, ...keys: string[]): string | undefined {
  for (const key of keys) {
    const value = str(data, key);
    const issue = value === undefined ? undefined : pathIdIssue(`data.${key}`, value);
    if (issue) return `${issue.path} ${issue.message} (expected ${issue.expected})`;
  }
  return undefined;
}

function without(data: Data, ...keys: string[]): Data {
  const copy = { ...data };
  for (const key of keys) delete copy[key];
  return copy;
}

@JetStreamController()
export class DirectoryConsumer {
  constructor(
    private readonly directory: DirectoryService,
    private readonly notifier: ChangeNotifier,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  @EventPattern<ConsumerPayloads>(CONSUMER_PATTERNS.directory)
  async handle(@Payload() message: ReceivedMessage): Promise<HandlerOutcome> {
    const raw = decodeJson(message.data);
    const shape = inspectJson(raw);
    if (shape.issues.length > 0)
      return { kind: 'dead', reason: `invalid directory event: ${formatIssues(shape.issues)}`, issues: shape.issues };
    const parsed = envelopeSchema.safeParse(raw);
    if (!parsed.success) {
      const issues = toValidationIssues(parsed.error, raw);
      return { kind: 'dead', reason: `invalid directory event: ${formatIssues(issues)}`, issues };
    }
    const tokens = message.subject.split('.');
    const action = tokens.at(-1) ?? '';
    const kind = tokens.at(-2) ?? '';
    const data: Data = { ...(parsed.data.data ?? {}) };
    try {
      const applied = await this.apply(kind, action, data);
      if (applied !== true) return { kind: 'dead', reason: applied, eventId: parsed.data.id };
    } catch (error) {
      if (hasErrorCode(error, 'validation_failed')) {
        return {
          kind: 'dead',
          reason: `invalid directory event ${kind}.${action}: ${formatIssues(error.details)}`,
          issues: error.details,
          eventId: parsed.data.id,
        };
      }
      throw error;
    }
    await this.notifier.changed(`directory ${kind}.${action}`);
    this.logger.info('directory updated', { event_id: parsed.data.id, kind, action });
    return { kind: 'ack' };
  }

  /** Applies one directory change; returns `true`, or the reason it cannot be applied. */
  private async apply(kind: string, action: string, data: Data): Promise<true | string> {
    const invalidId = badId(data, 'id', 'user_id', 'product_id', 'product_type_id');
    if (invalidId !== undefined) return invalidId;
    if (kind === 'member' && (action === 'added' || action === 'removed')) return this.membership(action === 'added', data);
    const handlers: Record<string, (id: string, body: Data) => Promise<unknown>> = {
      'user.upserted': (id, body) => this.directory.upsertUser(id, body),
      'user.deleted': (id) => this.directory.deleteUser(id),
      'product_type.upserted': (id, body) => this.directory.upsertProductType(id, body),
      'product_type.deleted': (id) => this.directory.deleteProductType(id),
      'product.upserted': (id, body) => this.directory.upsertProduct(id, body),
      'product.deleted': (id) => this.directory.deleteProduct(id),
      'engagement.upserted': (id, body) => this.directory.upsertEngagement(id, body),
      'engagement.deleted': (id) => this.directory.deleteEngagement(id),
    };
    const handler = handlers[`${kind}.${action}`];
    if (handler === undefined) {
      return `unknown directory event ${kind}.${action}; expected user|product_type|product|engagement .upserted|.deleted, or member.added|member.removed`;
    }
    const id = str(data, 'id');
    if (id === undefined) return `data.id is required for ${kind}.${action} (a non-empty string)`;
    await handler(id, without(data, 'id', 'title', 'description'));
    return true;
  }

  private async membership(add: boolean, data: Data): Promise<true | string> {
    const userId = str(data, 'user_id');
    const productId = str(data, 'product_id');
    const productTypeId = str(data, 'product_type_id');
    if (userId === undefined) return 'data.user_id is required for member events (a non-empty string)';
    if ((productId === undefined) === (productTypeId === undefined))
      return 'member events need exactly one of data.product_id or data.product_type_id';
    const role = data['role'] === undefined ? {} : { role: data['role'] };
    if (productId !== undefined) {
      if (add)
        return (await this.directory.putProductMember(productId, userId, role))
          ? true
          : `product ${productId} or user ${userId} does not exist`;
      await this.directory.removeProductMember(productId, userId);
      return true;
    }
    if (add)
      return (await this.directory.putProductTypeMember(productTypeId!, userId, role))
        ? true
        : `product type ${productTypeId} or user ${userId} does not exist`;
    await this.directory.removeProductTypeMember(productTypeId!, userId);
    return true;
  }
}
