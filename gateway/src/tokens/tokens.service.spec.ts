import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DirectoryRepository } from '../directory/directory.repository.js';
import { createTestDatabase, type TestDatabase } from '../persistence/testing/test-database.js';
import { ApiTokenRepository } from './api-token.repository.js';
import { tokenDigest } from '@herald/contracts';
import { TOKEN_PREFIX, TokensService } from './tokens.service.js';

let db: TestDatabase;
let tokens: TokensService;

beforeAll(async () => {
  db = await createTestDatabase();
  tokens = new TokensService(new ApiTokenRepository(db.em));
  await new DirectoryRepository(db.em).upsertUser('u1', {
    username: 'alice',
    email: 'alice@example.org',
    full_name: 'Alice',
    active: true,
    superuser: false,
  });
});

afterAll(async () => {
  await db.drop();
});

describe('TokensService', () => {
  it('creates an admin token shown once and stores only its SHA-256', async () => {
    const created = await tokens.create();
    expect(created?.token).toMatch(new RegExp(`^${TOKEN_PREFIX}[A-Za-z0-9_-]{43}$`));
    expect(created?.user_id).toBeNull();
    const rows = await db.query<{ token_hash: string }>('select token_hash from gateway.api_tokens where id = $1', [created?.id]);
    expect(rows).toEqual([{ token_hash: tokenDigest(created?.token ?? '') }]);
    expect(rows[0]?.token_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(await tokens.verify(created?.token ?? '')).toEqual({ kind: 'admin', tokenId: created?.id });
  });

  it('user tokens verify to their user; unknown, altered or malformed tokens to null', async () => {
    const created = await tokens.create('u1');
    const token = created?.token ?? '';
    expect(await tokens.verify(token)).toEqual({ kind: 'user', userId: 'u1', tokenId: created?.id });
    expect(await tokens.verify(`${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`)).toBeNull();
    expect(await tokens.verify('Bearer nonsense')).toBeNull();
    expect(await tokens.verify(tokenDigest(token))).toBeNull();
    expect(await tokens.create('ghost')).toBeNull();
  });

  it('list shows no hashes and records last use; delete revokes', async () => {
    const created = await tokens.create('u1');
    await tokens.verify(created?.token ?? '');
    const listed = await tokens.list();
    expect(JSON.stringify(listed)).not.toContain(tokenDigest(created?.token ?? ''));
    const entry = listed.find((item) => item.id === created?.id);
    expect(Object.keys(entry ?? {}).sort()).toEqual(['created_at', 'id', 'last_used_at', 'user_id']);
    expect(entry?.last_used_at).not.toBeNull();
    expect(await tokens.delete(created?.id ?? '')).toBe(true);
    expect(await tokens.verify(created?.token ?? '')).toBeNull();
    expect(await tokens.delete(created?.id ?? '')).toBe(false);
  });

  it('deleting the user revokes their tokens', async () => {
    const created = await tokens.create('u1');
    await new DirectoryRepository(db.em).deleteUser('u1');
    expect(await tokens.verify(created?.token ?? '')).toBeNull();
  });
});
