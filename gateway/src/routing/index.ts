/** The routing engine: a pure function from an event and a snapshot to deliveries and decisions. */
export { buildSnapshot, mailKey, type Snapshot, type SnapshotUser } from './snapshot.js';
export {
  route,
  routeInChunks,
  type DeliveryHold,
  type PlannedDelivery,
  type RouteChunk,
  type RouteOptions,
  type RouteResult,
  type RouteStream,
} from './route.js';
export { digestWindow, isClock, isDayName, isDigestSchedule, localClock, quietUntil, type DigestWindow } from './delivery-time.js';
export { isTimeZone, WEEKDAYS } from './local-time.js';
export type {
  Decision,
  FilteredRow,
  HeldChannel,
  RowSource,
  SkippedChannel,
  SystemDecision,
  UnknownRecipientDecision,
  UserDecision,
  UserPassDecision,
} from './decision.js';
export { alertSource } from './alert-source.js';
export { eventColumn, resolveColumn, type ColumnResolution } from './column.js';
export { eventScope, type EventScope } from './event-scope.js';
export { unionChannels } from './merge.js';
export { filterFacts, filterReason, type FilterFacts } from './filters.js';
export type {
  ChannelRecord,
  ColumnFilter,
  ColumnFilters,
  DigestSettings,
  EventChannels,
  MembershipRecord,
  ProductRecord,
  ProductTypeRecord,
  QuietHours,
  QuietWindow,
  SnapshotInput,
  UserRecord,
} from './snapshot-input.js';
