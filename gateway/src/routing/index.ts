/** The routing engine: a pure function from an event and a snapshot to deliveries and decisions. */
export { buildSnapshot, mailKey, type Snapshot, type SnapshotUser } from './snapshot.js';
export { route, type PlannedDelivery, type RouteOptions, type RouteResult } from './route.js';
export type {
  Decision,
  FilteredRow,
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
  EventChannels,
  MembershipRecord,
  ProductRecord,
  ProductTypeRecord,
  SnapshotInput,
  UserRecord,
} from './snapshot-input.js';
