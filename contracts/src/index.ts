/**
 * `@herald/contracts`: the public contract between publishers, the gateway and channel plugins.
 * Explicit named re-exports only; nothing else is importable (no deep imports).
 */
/**
 * zod, the schema library of every contract here (one pinned version): a plugin writes its
 * `configSchema` with this `z` and needs no dependency of its own on zod.
 */
export { z } from 'zod';
export { BUILTIN_CHANNELS, CHANNEL_NAME_PATTERN, SYSTEM_ONLY_CHANNELS, ALWAYS_ENABLED_CHANNELS, type BuiltinChannel } from './channels.js';
export { EVENT_CATALOGUE, EVENT_COLUMN_ALIASES, EVENT_NAME_PATTERN, OTHER_EVENT, humanise, type EventTypeDefinition } from './catalogue.js';
export {
  envelopeSchema,
  eventDataSchema,
  parseEvent,
  validateEvent,
  defaultDescription,
  MAX_EVENT_ID_LENGTH,
  SEVERITIES,
  severitySchema,
  type Severity,
  type EventData,
  type HeraldEvent,
  type ParseOptions,
  type ParseResult,
  type ProductTypeScope,
  type ProductScope,
  type EngagementScope,
  type TestScope,
  type FindingScope,
} from './envelope.js';
export {
  channelMessageSchema,
  destinationSchema,
  digestItemSchema,
  digestSchema,
  directoryUserSchema,
  deliveryId,
  deliveryIdOf,
  deliveryIdPrefix,
  destinationKey,
  PERSONAL_DESTINATION_KEY_PREFIX,
  eventMessageId,
  MESSAGE_HEADERS,
  channelMessageHeaders,
  type ChannelMessage,
  type Destination,
  type Digest,
  type DirectoryUser,
} from './channel-message.js';
export {
  DELIVERY_OUTCOMES,
  MAX_STATUSES_PER_REPORT,
  REPORTED_OUTCOMES,
  decodeStatusReport,
  deliveryStatusSchema,
  statusBatchSchema,
  statusMessageId,
  type DecodedStatusReport,
  type DeliveryOutcome,
  type DeliveryStatus,
  type StatusBatch,
  type StatusOutcome,
} from './delivery-status.js';
export { deadLetterSchema, type DeadLetter } from './dead-letter.js';
export {
  asyncApiDocument,
  authReplySchema,
  authRequestSchema,
  engagementCloseCommandSchema,
  type AsyncApiOptions,
  type EngagementCloseCommand,
} from './asyncapi.js';
export {
  eventPublisher,
  type CatalogueEventType,
  type EventDataByType,
  type EventDataFor,
  type EventDataInput,
  type EventPublisher,
  type EventPublisherOptions,
  type PublishedEvent,
  type PublishEventOptions,
} from './publisher.js';
export {
  errorBodySchema,
  eventIdPathSchema,
  jsonSchemaOf,
  openApiDocument,
  openApiPath,
  pageSchema,
  pathIdSchema,
  validationIssueSchema,
  type ApiAccess,
  type ApiOperation,
  type ApiResponseDoc,
  type ApiRouteDoc,
  type HttpMethod,
  type OpenApiOptions,
} from './openapi.js';
export { isMailAddress, mailAddressListSchema, mailAddressSchema } from './mail-address.js';
export { HeraldError, formatIssues, hasErrorCode, type HeraldErrorCode, type ValidationIssue } from './errors.js';
export { DEFAULT_SUBJECT_PREFIX, subjects, type DeadLetterStage, type Subjects } from './subjects.js';
export {
  DEFAULT_MAX_EVENT_BYTES,
  TAKE_OVER_ACK_WAIT_MS,
  topology,
  type ConsumerDefinition,
  type RetentionKind,
  type StreamDefinition,
  type Topology,
  type TopologyOptions,
} from './topology.js';
export { toValidationIssues, formatPath, inspectJson, MAX_JSON_DEPTH, type JsonInspection } from './validation.js';
export {
  MAX_PATH_ID_LENGTH,
  PATH_ID_PATTERN,
  JSON_MEDIA_TYPE,
  eventIdIssue,
  hasRequestBody,
  isJsonMediaType,
  pathIdIssue,
  unsupportedMediaTypeBody,
} from './request-limits.js';
export { jsonLogger, silentLogger, type LogFields, type LogLevel, type Logger } from './logger.js';
export { connectNats, startFailureReason, type NatsConnectOptions } from './jetstream/connect.js';
export {
  loadNatsEnv,
  NATS_SECRET_VARIABLES,
  natsConnectionOptions,
  natsEnvShape,
  natsSecurityFromEnv,
  NO_NATS_SECURITY,
  refineNatsEnv,
  type NatsAuth,
  type NatsSecurity,
  type NatsTls,
} from './jetstream/connection-options.js';
export { ensureConsumer, ensureStream, ensureStreams } from './jetstream/provision.js';
export {
  MAX_STREAM_REPLICAS,
  SINGLE_REPLICA,
  streamStorageEnvShape,
  streamStorageFromEnv,
  type StreamStorage,
} from './jetstream/stream-storage.js';
export { createKvEntry, openBucket, type BucketLimits } from './jetstream/kv-bucket.js';
export { decodeJson } from './json.js';
export { StreamPublisher, type StreamPublishOptions } from './jetstream/stream-publisher.js';
export { ConsumerRunner, type ConsumerRunnerOptions, type HandlerOutcome, type ReceivedMessage } from './jetstream/consumer-runner.js';
export { DEFAULT_BACKOFF, retryDelay, type BackoffPolicy } from './jetstream/backoff.js';
export { definePlugin, outcomes, type OutcomeOf, type PluginDefinition, type SendContext, type SendOutcome } from './sdk/plugin.js';
export {
  ConfigDeclarationError,
  declareChannelConfig,
  sealSecretFields,
  type ChannelConfigDeclaration,
  type ConfigDeclarationSource,
} from './sdk/config-registration.js';
export { parseRetryAfter } from './sdk/retry-after.js';
export { releaseStartupGarbage } from './sdk/startup-garbage.js';
export { useLeanJit } from './sdk/lean-jit.js';
export { keepAliveAgents, type KeepAliveAgents } from './sdk/keep-alive-agents.js';
export { httpRequest, type HttpDeadlineError, type HttpRequestOptions, type HttpResponse } from './sdk/http-request.js';
export { judgeAddress, parseAllowList, parseCidr, type AddressCategory, type AddressVerdict, type Cidr } from './sdk/address-policy.js';
export {
  authenticateViaGateway,
  tokenDigest,
  type AuthReply,
  type AuthRequest,
  type HttpHandler,
  type Identity,
  type PluginHttpContext,
} from './sdk/http.js';
export { startStartupProbe, type StartupProbe } from './sdk/startup-probe.js';
export { retryBookkeeping, type RetryBookkeepingOptions } from './sdk/retry-bookkeeping.js';
export { BoundedMemo } from './bounded-memo.js';
export {
  dependencyRetryDelay,
  isDatabaseUnavailable,
  waitForDependency,
  type WaitForDependencyOptions,
} from './sdk/wait-for-dependency.js';
export { runPlugin, decodeChannelMessage, type RunPluginOptions, type RunningPlugin } from './sdk/run-plugin.js';
export { syntheticChannelMessage } from './sdk/warm-up.js';
export { classifyThrown, errorReason } from './sdk/classify-thrown.js';
export { pluginBuckets, type PluginBuckets } from './sdk/buckets.js';
export {
  channelConfigRecordSchema,
  resolveChannelConfig,
  type ChannelConfigLayers,
  type ChannelConfigRecord,
  type ChannelConfigState,
} from './sdk/channel-config-state.js';
export { DELIVERY_LEDGER_TTL_MS } from './sdk/delivery-ledger.js';
export {
  PLUGIN_HEARTBEAT_MS,
  PLUGIN_REGISTRATION_TTL_MS,
  PluginRegistration,
  type PluginRegistrationEntry,
  type PluginRegistrationOptions,
} from './sdk/plugin-registration.js';
export { API_PREFIX, pluginHttpHandler, type PluginHttpSource } from './sdk/plugin-http-handler.js';
export { type PluginHealth, type ReadinessChecks } from './sdk/plugin-http-server.js';
export { loadPluginEnv, PLUGIN_ENV_VARIABLES, runOptionsFromEnv, type PluginEnv } from './sdk/plugin-env.js';
export { parseEnv, type ParseEnvOptions } from './sdk/parse-env.js';
export { installSignalHandlers, type SignalHandlerOptions } from './sdk/signal-handlers.js';
export { runPluginProcess, type PluginProcessOptions } from './sdk/run-plugin-process.js';
export {
  EXIT_INVALID_CONFIGURATION,
  runPluginMain,
  startPluginMain,
  type PluginMainContext,
  type PluginMainOptions,
  type RunPluginMainOptions,
  type Stoppable,
} from './sdk/plugin-main.js';
export { SECRET_KEY_HELP, SecretBox } from './secrets/secret-box.js';
export { capText, isLinkUrl, linkUrl } from './sdk/render-safety.js';
export {
  escapeHtml,
  loadTemplates,
  templateView,
  type LoadTemplatesOptions,
  type TemplateEscaper,
  type TemplateFinding,
  type TemplateScope,
  type TemplateSet,
  type TemplateDigest,
  type TemplateView,
} from './sdk/templates.js';
