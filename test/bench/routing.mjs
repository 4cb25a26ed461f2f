/**
 * §11 "Routing cost grows linearly in the number of candidate users, not in the directory size":
 * the pure `route()` of the built gateway, timed in-process on synthetic snapshots.
 *
 * - Directory sweep: 100 candidates in directories of 1 000 / 10 000 / 100 000 users → the time
 *   should stay flat (ratio largest/smallest directory ≈ 1).
 * - Candidate sweep: 100 / 1 000 / 10 000 candidates in a 100 000-user directory → the time should
 *   grow linearly: `growth_exponent_100_to_10000` (log-log slope of time over candidates) ≤ 1.05,
 *   per-candidate cost ≈ constant.
 *
 * A candidate is a personal subscriber of `scan_added` (alert + mail) who is a member of the
 * event's product; every other user has empty rows and belongs to other products.
 */
import { EVENT_CATALOGUE, parseEvent } from '@herald/contracts';
import { buildSnapshot, route } from '../../gateway/dist/routing/index.js';
import { pathToFileURL } from 'node:url';
import { median, round } from './lib.mjs';

const EMPTY_ROW = Object.fromEntries(EVENT_CATALOGUE.map((type) => [type.name, []]));
const SUBSCRIBED_ROW = { ...EMPTY_ROW, scan_added: ['alert', 'mail'] };

function snapshotFor(users, candidates) {
  const productCount = Math.max(10, Math.round(users / 10));
  const input = {
    users: [],
    productTypes: Array.from({ length: 10 }, (_, i) => ({ id: String(i + 1), name: `Type ${i + 1}` })),
    products: Array.from({ length: productCount }, (_, i) => ({
      id: String(i + 1),
      name: `Product ${i + 1}`,
      product_type_id: String((i % 10) + 1),
    })),
    productMembers: [],
    productTypeMembers: [],
    eventTypes: EVENT_CATALOGUE,
    system: EMPTY_ROW,
    personal: [],
    productSettings: [],
    channels: ['mail', 'slack', 'msteams', 'webhooks'].map((name) => ({ name, enabled: true, has_system_destination: true })),
    systemMailRecipients: [],
    systemLevelTrump: ['user_mentioned', 'review_requested'],
  };
  for (let i = 1; i <= users; i++) {
    const id = String(i);
    const candidate = i <= candidates;
    input.users.push({
      id,
      username: `user${i}`,
      email: `user${i}@bench.example`,
      full_name: `User ${i}`,
      active: true,
      superuser: false,
      global_role: null,
      slack_email: null,
    });
    input.productMembers.push({ scope_id: candidate ? '1' : String(2 + (i % (productCount - 1))), user_id: id, role: 'Writer' });
    input.personal.push({ user_id: id, events: candidate ? SUBSCRIBED_ROW : EMPTY_ROW });
  }
  return buildSnapshot(input);
}

const parsed = parseEvent(
  Buffer.from(
    JSON.stringify({
      specversion: '1.0',
      id: 'route-bench',
      source: 'bench',
      type: 'scan_added',
      data: { title: 'Scan Added', product: { id: '1', name: 'Product 1', product_type_id: '2' }, finding_count: 3 },
    }),
  ),
  { maxBytes: 1024 * 1024, now: new Date() },
);
if (!parsed.ok) throw new Error(`bench event invalid: ${JSON.stringify(parsed.issues)}`);
const EVENT = parsed.event;
// route() takes the current time (quiet hours, digests); the synthetic users have neither, so any instant will do
const OPTIONS = { siteUrl: 'http://localhost:8080', now: new Date('2026-11-23T12:00:00Z') };

/** Median time of one `route()` call, µs: batches of calls for ~`budgetMs`, after a warm-up. */
function timeRoute(snapshot, expectedDeliveries, budgetMs = 500) {
  const check = route(EVENT, snapshot, OPTIONS);
  if (check.deliveries.length !== expectedDeliveries)
    throw new Error(`routing bench: expected ${expectedDeliveries} deliveries, got ${check.deliveries.length}`);
  const warmUntil = performance.now() + budgetMs / 4;
  while (performance.now() < warmUntil) route(EVENT, snapshot, OPTIONS);
  const perCall = [];
  const until = performance.now() + budgetMs;
  while (performance.now() < until || perCall.length < 5) {
    let calls = 0;
    const started = performance.now();
    do {
      route(EVENT, snapshot, OPTIONS);
      calls++;
    } while (performance.now() - started < 20);
    perCall.push(((performance.now() - started) / calls) * 1_000);
  }
  return median(perCall);
}

/**
 * Each sweep measures its configurations in turn, ROUNDS times (interleaved, so a burst of load
 * from other processes on the machine hits every configuration alike), keeping each
 * configuration's fastest pass: external load only ever slows a pass down. One snapshot is alive
 * at a time (rebuilt for each pass), so garbage collection sees the heap of a single directory.
 * Seven short passes rather than three long ones: on the shared machines this runs on, memory
 * access speed changes by up to 3× from second to second (a random-access loop over 200 000
 * objects took 25-79 ms per repetition in one process while a pure arithmetic loop stayed within
 * ±6 %), and the 10 000-candidate route() is the configuration that reads the most memory.
 */
const ROUNDS = 7;
const PASS_BUDGET_MS = 170;

function sweep(configs, log) {
  const best = configs.map(() => Number.POSITIVE_INFINITY);
  for (let pass = 0; pass < ROUNDS; pass++) {
    configs.forEach(({ users, candidates }, index) => {
      best[index] = Math.min(best[index], timeRoute(snapshotFor(users, candidates), candidates * 2, PASS_BUDGET_MS));
    });
  }
  return configs.map(({ users, candidates }, index) => {
    const us = best[index];
    log(`  route(): ${users} users, ${candidates} candidates → ${us.toFixed(1)} µs`);
    return { users, candidates, us_per_route: round(us, 1), us_per_candidate: round(us / candidates, 3) };
  });
}

export function runRoutingBench(log = () => {}) {
  timeRoute(snapshotFor(1_000, 100), 200, 500); // JIT warm-up of route() itself
  const directory = sweep(
    [1_000, 10_000, 100_000].map((users) => ({ users, candidates: 100 })),
    log,
  );
  const candidates = sweep(
    [100, 1_000, 10_000].map((count) => ({ users: 100_000, candidates: count })),
    log,
  );
  const flatness = directory[2].us_per_route / directory[0].us_per_route;
  const first = candidates[0];
  const last = candidates[candidates.length - 1];
  const exponent = Math.log(last.us_per_route / first.us_per_route) / Math.log(last.candidates / first.candidates);
  const perCandidateRatio = last.us_per_candidate / first.us_per_candidate;
  return {
    directory_sweep: directory,
    candidate_sweep: candidates,
    directory_ratio_100k_vs_1k: round(flatness, 2),
    directory_target: '≤ 1.5 (flat in directory size)',
    directory_met: flatness <= 1.5,
    growth_exponent_100_to_10000: round(exponent, 2),
    per_candidate_ratio_10000_vs_100: round(perCandidateRatio, 2),
    candidates_target: 'growth exponent ≤ 1.05 (linear, not super-linear)',
    candidates_met: exponent <= 1.05,
  };
}

// As a child process (what run.mjs does, so the bench process's heap stays small): log lines on
// stderr, the result as one JSON line on stdout.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const result = runRoutingBench((line) => process.stderr.write(`${line}\n`));
  process.stdout.write(`${JSON.stringify(result)}\n`);
}
