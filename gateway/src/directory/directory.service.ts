/**
 * The directory (SPEC §4): users, product types, products, memberships and engagements, fed by the
 * API and by `herald.directory.*` events. Upserts are idempotent; a user seen for the first time
 * gets a personal row copied from the template, or the defaults when there is none; deleting a
 * user deletes their settings. Bad bodies throw `HeraldError('validation_failed')`; unknown ids
 * in the path answer `null` / `false`.
 */
import { HeraldError, formatIssues, toValidationIssues, type ValidationIssue } from '@herald/contracts';
import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import type { z } from 'zod';
import { EventTypeRepository } from '../settings/event-type.repository.js';
import { defaultRow } from '../settings/settings-row.js';
import { SettingsRepository } from '../settings/settings.repository.js';
import {
  engagementInputSchema,
  membershipInputSchema,
  productInputSchema,
  productTypeInputSchema,
  userInputSchema,
} from './directory-input.js';
import type { EngagementView, MembershipView, ProductTypeView, ProductView, Upserted, UserView } from './directory-views.js';
import { DirectoryRepository, type MembershipKind } from './directory.repository.js';

function parse<S extends z.ZodType>(schema: S, body: unknown, what: string): z.infer<S> {
  const result = schema.safeParse(body);
  if (!result.success) throw invalid(what, toValidationIssues(result.error, body));
  return result.data;
}

function invalid(what: string, issues: ValidationIssue[]): HeraldError {
  return new HeraldError('validation_failed', `Invalid ${what}: ${formatIssues(issues)}`, issues);
}

@Injectable()
export class DirectoryService {
  constructor(
    private readonly em: EntityManager,
    private readonly repository: DirectoryRepository,
    private readonly settings: SettingsRepository,
    private readonly eventTypes: EventTypeRepository,
  ) {}

  /** Creates or updates a user; a new user's personal row is seeded in the same transaction. */
  async upsertUser(id: string, body: unknown): Promise<Upserted<UserView>> {
    const input = parse(userInputSchema, body, 'user');
    return this.em.fork().transactional(async (tx) => {
      const holder = await this.repository.userIdByUsername(input.username, tx);
      if (holder !== null && holder !== id) {
        throw invalid('user', [{ path: 'username', message: `username "${input.username}" already belongs to user ${holder}` }]);
      }
      const result = await this.repository.upsertUser(id, input, tx);
      if (result.created) {
        await this.settings.seedPersonal(id, defaultRow('personal', await this.eventTypes.listAll(tx)), tx);
      }
      return result;
    });
  }

  getUser(id: string): Promise<UserView | null> {
    return this.repository.getUser(id);
  }

  listUsers(): Promise<UserView[]> {
    return this.repository.listUsers();
  }

  listProductTypes(): Promise<ProductTypeView[]> {
    return this.repository.listProductTypes();
  }

  listProducts(): Promise<ProductView[]> {
    return this.repository.listProducts();
  }

  /** Deletes the user with their settings, memberships and tokens; `false` when unknown. */
  deleteUser(id: string): Promise<boolean> {
    return this.repository.deleteUser(id);
  }

  upsertProductType(id: string, body: unknown): Promise<Upserted<ProductTypeView>> {
    return this.repository.upsertProductType(id, parse(productTypeInputSchema, body, 'product type'));
  }

  getProductType(id: string): Promise<ProductTypeView | null> {
    return this.repository.getProductType(id);
  }

  /** Deletes the product type and, like DefectDojo, its products. */
  deleteProductType(id: string): Promise<boolean> {
    return this.repository.deleteProductType(id);
  }

  /** Throws `validation_failed` on `product_type_id` when that product type is unknown. */
  async upsertProduct(id: string, body: unknown): Promise<Upserted<ProductView>> {
    const input = parse(productInputSchema, body, 'product');
    return this.em.fork().transactional(async (tx) => {
      if (!(await this.repository.getProductType(input.product_type_id, tx))) {
        throw invalid('product', [{ path: 'product_type_id', message: `unknown product type "${input.product_type_id}"` }]);
      }
      return this.repository.upsertProduct(id, input, tx);
    });
  }

  getProduct(id: string): Promise<ProductView | null> {
    return this.repository.getProduct(id);
  }

  deleteProduct(id: string): Promise<boolean> {
    return this.repository.deleteProduct(id);
  }

  /** Adds or updates a membership; `null` when the product (type) or the user does not exist. */
  putProductMember(productId: string, userId: string, body: unknown = {}): Promise<MembershipView | null> {
    return this.putMember('product', productId, userId, body);
  }

  removeProductMember(productId: string, userId: string): Promise<boolean> {
    return this.repository.removeMember('product', productId, userId);
  }

  listProductMembers(productId: string): Promise<MembershipView[]> {
    return this.repository.listMembers('product', productId);
  }

  putProductTypeMember(productTypeId: string, userId: string, body: unknown = {}): Promise<MembershipView | null> {
    return this.putMember('product_type', productTypeId, userId, body);
  }

  removeProductTypeMember(productTypeId: string, userId: string): Promise<boolean> {
    return this.repository.removeMember('product_type', productTypeId, userId);
  }

  listProductTypeMembers(productTypeId: string): Promise<MembershipView[]> {
    return this.repository.listMembers('product_type', productTypeId);
  }

  /** Throws `validation_failed` on `product_id` when that product is unknown. */
  async upsertEngagement(id: string, body: unknown): Promise<Upserted<EngagementView>> {
    const input = parse(engagementInputSchema, body, 'engagement');
    return this.em.fork().transactional(async (tx) => {
      if (!(await this.repository.getProduct(input.product_id, tx))) {
        throw invalid('engagement', [{ path: 'product_id', message: `unknown product "${input.product_id}"` }]);
      }
      return this.repository.upsertEngagement(id, input, tx);
    });
  }

  getEngagement(id: string): Promise<EngagementView | null> {
    return this.repository.getEngagement(id);
  }

  deleteEngagement(id: string): Promise<boolean> {
    return this.repository.deleteEngagement(id);
  }

  private putMember(kind: MembershipKind, scopeId: string, userId: string, body: unknown): Promise<MembershipView | null> {
    return this.repository.putMember(kind, scopeId, userId, parse(membershipInputSchema, body ?? {}, 'membership'));
  }
}
