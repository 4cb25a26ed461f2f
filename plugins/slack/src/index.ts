/** The slack plugin as a library (all-in-one process, embedding): no side effects on import. */
export { SLACK_SECRET_FIELDS, slackConfigSchema, type SlackConfig } from './config.js';
export { classifySlackError, TRANSIENT_SLACK_ERRORS } from './errors.js';
export { createSlackPlugin, SLACK_CHANNEL, SLACK_PLUGIN_VERSION, type SlackPluginDeps } from './plugin.js';
export { renderSlack, slackEscape, type SlackBlock, type SlackRequest, type SlackTarget } from './render.js';
export {
  loadSlackEnv,
  loadSlackTemplates,
  SLACK_ENV_VARIABLES,
  SLACK_TEMPLATES_DIR,
  startSlackPlugin,
  type SlackEnv,
  type StartSlackOptions,
} from './start.js';
export { slackWebApi, type SlackApi, type SlackPostArgs, type SlackWebApiOptions } from './transport.js';
