/** Gateway configuration for a test: isolated subject prefix, ephemeral HTTP port, own database. */
import { randomBytes } from 'node:crypto';
import { parseGatewayConfig, type GatewayConfig } from '../../gateway/src/config/gateway-config.js';

/** A fixed key for tests (32 random bytes per process, base64). */
export const TEST_SECRET_KEY = randomBytes(32).toString('base64');
export const TEST_ADMIN_TOKEN = `admin-${randomBytes(12).toString('hex')}`;

export function testGatewayEnv(
  natsUrl: string,
  prefix: string,
  databaseUrl: string,
  env: Record<string, string> = {},
): Record<string, string> {
  return {
    NATS_URL: natsUrl,
    DATABASE_URL: databaseUrl,
    HERALD_SUBJECT_PREFIX: prefix,
    HERALD_HTTP_PORT: '0',
    HERALD_LOG_LEVEL: 'error',
    HERALD_SECRET_KEY: TEST_SECRET_KEY,
    HERALD_ADMIN_TOKEN: TEST_ADMIN_TOKEN,
    ...env,
  };
}

export function testGatewayConfig(natsUrl: string, prefix: string, databaseUrl: string, env: Record<string, string> = {}): GatewayConfig {
  return parseGatewayConfig(testGatewayEnv(natsUrl, prefix, databaseUrl, env));
}
