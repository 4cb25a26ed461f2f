/**
 * Settings filters (SPEC §3.6 step 1): a column of a settings row may carry
 * `{ min_severity?, product_types?, tags_any? }`, and the channels that row contributes to the
 * column count only for events that pass it. Invariants: pure; an event passes a filter only when
 * it passes every clause given; a clause that needs a fact the event does not carry (no severity,
 * no product type, no tags) does not pass — a filter is an opt-in to "only these events", and an
 * event of unknown severity or product type is not known to be one of them. The reason names the
 * first failing clause, in the order severity, product type, tags.
 */
import { SEVERITIES, type HeraldEvent, type Severity } from '@herald/contracts';
import type { EventScope } from './event-scope.js';
import type { ColumnFilter } from './snapshot-input.js';

/** What filters test, read once per event. */
export interface FilterFacts {
  readonly severity: Severity | undefined;
  readonly productTypeId: string | undefined;
  readonly tags: ReadonlySet<string>;
}

const RANK: ReadonlyMap<string, number> = new Map(SEVERITIES.map((severity, index) => [severity, index]));
const NO_TAGS: ReadonlySet<string> = new Set();

/** The facts of one event: `data.severity` (else a valid `finding.severity`), the scope's product type, `data.tags`. */
export function filterFacts(event: HeraldEvent, scope: EventScope): FilterFacts {
  const findingSeverity = event.data.finding?.severity;
  const severity =
    event.data.severity ?? (findingSeverity !== undefined && RANK.has(findingSeverity) ? (findingSeverity as Severity) : undefined);
  const tags = event.data.tags;
  return {
    severity,
    productTypeId: scope.kind === 'none' ? undefined : scope.productTypeId,
    // Stryker disable next-line ConditionalExpression: equivalent — `new Set(undefined)` and `new Set([])` are empty like the shared `NO_TAGS`.
    tags: tags === undefined || tags.length === 0 ? NO_TAGS : new Set(tags),
  };
}

/** `undefined` when the event passes the filter, otherwise the sentence an operator reads. */
export function filterReason(filter: ColumnFilter | undefined, facts: FilterFacts): string | undefined {
  if (filter === undefined) return undefined;
  const { min_severity: minSeverity, product_types: productTypes, tags_any: tagsAny } = filter;
  if (minSeverity !== undefined) {
    if (facts.severity === undefined) return `the event has no severity (the filter asks for ${minSeverity} or above)`;
    if ((RANK.get(facts.severity) ?? 0) > (RANK.get(minSeverity) ?? 0)) return `severity ${facts.severity} is below ${minSeverity}`;
  }
  if (productTypes !== undefined) {
    if (facts.productTypeId === undefined) return `the event has no product type (the filter asks for ${list(productTypes)})`;
    if (!productTypes.includes(facts.productTypeId)) return `product type ${facts.productTypeId} is not in ${list(productTypes)}`;
  }
  if (tagsAny !== undefined && !tagsAny.some((tag) => facts.tags.has(tag))) return `no tag in ${list(tagsAny)}`;
  return undefined;
}

function list(values: readonly string[]): string {
  return `[${values.join(', ')}]`;
}
