/** The webhooks warm-up renders, signs and POSTs through the production functions to its own local server only. */
import { describe, expect, it } from '@jest/globals';
import { warmUpWebhooks } from './warm-up.js';

describe('warmUpWebhooks', () => {
  it('POSTs synthetic webhooks, 16 at a time, to a server of its own, every one answered', async () => {
    expect(await warmUpWebhooks({ version: '0.0.0-spec', budgetMs: 10_000, maxRequests: 64 })).toBe(64);
  });

  it('stops at its time budget', async () => {
    const started = performance.now();
    const answered = await warmUpWebhooks({ version: '0.0.0-spec', budgetMs: 50, maxRequests: 1_000_000 });
    expect(answered).toBeGreaterThanOrEqual(16);
    expect(answered % 16).toBe(0);
    expect(performance.now() - started).toBeLessThan(5_000);
  });
});
