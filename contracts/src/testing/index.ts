/** `@herald/contracts/testing`: helpers for tests of Herald and of third-party plugins. */
export {
  alice,
  channelMessage,
  digestChannelMessage,
  FIXTURE_EVENTS,
  SITE_URL,
  type ChannelMessageOptions,
  type FixtureEvent,
} from './channel-message-fixtures.js';
export { publishMessage, statusesInReport, statusesOf, waitForFinal } from './deliveries.js';
export { resolveDatabaseUrl, resolveNatsUrl, stopTestContainers, TEST_CONTAINER_IMAGES, uniquePrefix } from './infrastructure.js';
export { deleteTopology, readStream, subjectMatches, waitFor, type StoredMessage } from './jetstream.js';
export {
  HARNESS_BACKOFF,
  startPluginHarness,
  type MessageOverrides,
  type PluginHarness,
  type PluginHarnessOptions,
  type PublishOptions,
} from './plugin-harness.js';
export { describePluginConformance, type ConformanceHarness, type PluginConformanceOptions } from './plugin-conformance.js';
export { createScratchDatabase, type ScratchDatabase } from './scratch-database.js';
export { reservedPort } from './ports.js';
export { closeHttpReceivers, startHttpReceiver, type HttpReceiver, type ReceivedRequest } from './http-receiver.js';
export { recordingLogger, type LoggedLine } from './recording-logger.js';
export { registerChannel, type RegisteredChannelSource } from './channel-registration.js';
export { startNatsCluster, type NatsCluster, type NatsClusterNode, type NatsClusterOptions } from './nats-cluster.js';
export { currentTestRunner, runningUnderJest, type Determinism, type TestBody, type TestRunner } from './test-runner.js';
export { deliveryStatusFixture } from './status-fixtures.js';
