/** An API token, stored as the SHA-256 of the token text; `user_id` null means an admin token. */
import { defineEntity, p, type InferEntity } from '@mikro-orm/core';

export const ApiTokenEntity = defineEntity({
  name: 'ApiToken',
  tableName: 'api_tokens',
  properties: {
    id: p.string().primary(),
    token_hash: p.string().unique('api_tokens_token_hash_unique'),
    user_id: p.string().nullable(),
    created_at: p.datetime().onCreate(() => new Date()),
    last_used_at: p.datetime().nullable(),
  },
});
export type ApiTokenEntity = InferEntity<typeof ApiTokenEntity>;
