/** `HERALD_ROUTING_CHUNK`: how many candidates a streamed broadcast routes, publishes and stores at a time. */
import { describe, expect, it } from '@jest/globals';
import { HeraldError } from '@herald/contracts';
import { parseGatewayConfig } from './gateway-config.js';

describe('HERALD_ROUTING_CHUNK', () => {
  it('defaults to 5000 and takes a positive number of candidates', () => {
    expect(parseGatewayConfig({}).routingChunk).toBe(5_000);
    expect(parseGatewayConfig({ HERALD_ROUTING_CHUNK: '2' }).routingChunk).toBe(2);
  });

  it('refuses zero, a fraction and a word, naming the variable and what it must be', () => {
    for (const value of ['0', '2.5', 'many']) {
      let thrown: unknown;
      try {
        parseGatewayConfig({ HERALD_ROUTING_CHUNK: value });
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(HeraldError);
      expect((thrown as HeraldError).code).toBe('invalid_configuration');
      const issues = (thrown as HeraldError).details.filter((issue) => issue.path === 'HERALD_ROUTING_CHUNK');
      expect(issues).toHaveLength(1);
      expect(issues[0]!.message).toContain(`(got "${value}")`);
      if (value === '0') expect(issues[0]!.message).toContain('must be a number of candidates, at least 1');
    }
  });
});
