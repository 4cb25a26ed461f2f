/**
 * The gateway as a library, for the all-in-one process (cli/) only: start a gateway in-process,
 * parse its configuration, share an embedded PGlite pool, mint the first admin token.
 */
export { GATEWAY_ENV_VARIABLES, parseGatewayConfig, type GatewayConfig } from './config/gateway-config.js';
export { startGateway, type RunningGateway, type StartGatewayOptions } from './gateway.js';
export { createPglitePool, initialiseGatewayDatabase } from './persistence/orm-config.js';
export { TokensService } from './tokens/tokens.service.js';
