/**
 * A plugin process started through the SDK's `startPluginMain` (mail, Slack, Teams, and every
 * plugin written with `runPluginMain`) runs without V8's Maglev from its first log line on
 * (`useLeanJit`, contracts/src/sdk/lean-jit.ts): the built Slack plugin under `node --trace-opt`,
 * through its start and warm-up, optimises with TurboFan only. Before the change its warm-up
 * alone made ≈ 390 Maglev compilations. Counted: the compilations V8 marks or starts after the
 * SDK's first log line; a Maglev job started on a background thread before it may still print
 * `completed compiling … (target MAGLEV)` afterwards (see lean-jit.spec.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { topology } from '@herald/contracts';
import { deleteTopology, resolveNatsUrl, uniquePrefix } from '@herald/contracts/testing';
import { killAll, REPO_ROOT, startNode, waitForOutput, type ChildHandle } from './support/processes.js';

const prefix = uniquePrefix('leanjit');
let nc: NatsConnection;
let plugin: ChildHandle | undefined;

beforeAll(async () => {
  const url = await resolveNatsUrl();
  nc = await connect({ servers: url });
  if (!existsSync(resolve(REPO_ROOT, 'plugins/slack/dist/main.js')))
    throw new Error('plugins/slack/dist is missing: run `npm run build` first (npm test does it)');
  plugin = startNode(
    'plugins/slack/dist/main.js',
    { NATS_URL: url, HERALD_SUBJECT_PREFIX: prefix, HERALD_PLUGIN_HTTP_PORT: '0' },
    [],
    REPO_ROOT,
    ['--trace-opt'],
  );
});

afterAll(async () => {
  await killAll([plugin]);
  await deleteTopology(nc, topology({ prefix }));
  await nc?.close();
});

describe('a plugin process started by startPluginMain', () => {
  it('optimises with TurboFan only once the SDK has started', async () => {
    const handle = plugin as ChildHandle;
    await waitForOutput(handle, (out) => out.includes('"plugin started"'), 20_000);
    const output = handle.output();
    const sdkStarted = output.indexOf('"msg":"starting');
    expect(sdkStarted).toBeGreaterThan(-1);
    const afterStart = output.slice(sdkStarted);
    expect(output).toContain('"warmed up"');
    expect(afterStart.match(/^\[compiling method .*\(target TURBOFAN/gm)?.length ?? 0).toBeGreaterThan(0);
    expect(afterStart.match(/^\[(?:compiling method .*\(target MAGLEV|marking .* for optimization to MAGLEV)[^\n]*/gm) ?? []).toEqual([]);
  });
});
