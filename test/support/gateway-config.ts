/** Gateway configuration for a test: isolated subject prefix, ephemeral HTTP port. */
import { parseGatewayConfig, type GatewayConfig } from '../../gateway/src/config/gateway-config.js';

export function testGatewayConfig(natsUrl: string, prefix: string, env: Record<string, string> = {}): GatewayConfig {
  return parseGatewayConfig({ NATS_URL: natsUrl, HERALD_SUBJECT_PREFIX: prefix, HERALD_HTTP_PORT: '0', HERALD_LOG_LEVEL: 'error', ...env });
}
