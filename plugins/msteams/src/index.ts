/** The msteams plugin as a library (all-in-one process, embedding): no side effects on import. */
export { MSTEAMS_SECRET_FIELDS, msteamsConfigSchema, type MsteamsConfig } from './config.js';
export { classifyTeamsError, classifyTeamsResponse } from './errors.js';
export { createMsteamsPlugin, MSTEAMS_CHANNEL, MSTEAMS_PLUGIN_VERSION, type MsteamsPluginDeps } from './plugin.js';
export { OPEN_ACTION_TITLE, renderMsteams, type AdaptiveCardMessage, type MessageCard, type MsteamsRequest } from './render.js';
export {
  loadMsteamsEnv,
  MSTEAMS_ENV_VARIABLES,
  loadMsteamsTemplates,
  MSTEAMS_TEMPLATES_DIR,
  startMsteamsPlugin,
  type MsteamsEnv,
  type StartMsteamsOptions,
} from './start.js';
export { httpTeamsTransport, type HttpTeamsTransportOptions, type TeamsResponse, type TeamsTransport } from './transport.js';
