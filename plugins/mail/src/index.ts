/** The mail plugin as a library (all-in-one process, embedding): no side effects on import. */
export { mailConfigSchema, systemRecipients, type MailConfig } from './config.js';
export { classifyMailError } from './errors.js';
export { createMailPlugin, MAIL_CHANNEL, MAIL_PLUGIN_VERSION, type MailPluginDeps } from './plugin.js';
export { mailMessageId, renderMail, type MailRequest } from './render.js';
export {
  loadMailEnv,
  MAIL_ENV_VARIABLES,
  MAIL_TEMPLATES_DIR,
  mailTransportFromEnv,
  startMailPlugin,
  type MailEnv,
  type RunningMailPlugin,
  type StartMailOptions,
} from './start.js';
export {
  outboxTransport,
  SMTP_POOL_SIZE,
  smtpTransport,
  type MailSendResult,
  type MailTransport,
  type SmtpTransportOptions,
} from './transport.js';
