#!/usr/bin/env node
// `npm run start:plugin -- <channel>`: starts one channel plugin as its own process.
// A built-in channel whose plugin is not built yet starts, connects to NATS and waits, saying so.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const BUILTIN = ['alert', 'mail', 'slack', 'msteams', 'webhooks'];
const channel = process.argv[2];
if (!channel || !/^[a-z][a-z0-9_-]{0,31}$/.test(channel)) {
  process.stderr.write(`usage: npm run start:plugin -- <channel>   (built-in channels: ${BUILTIN.join(', ')})\n`);
  process.exit(64);
}
const here = dirname(fileURLToPath(import.meta.url));
const entry = join(here, channel, 'dist', 'main.js');
if (existsSync(entry)) {
  await import(pathToFileURL(entry).href);
} else if (BUILTIN.includes(channel)) {
  const { connectNats, jsonLogger, loadNatsEnv } = await import('@herald/contracts');
  const logger = jsonLogger({ base: { service: `plugin-${channel}` } });
  let nats;
  try {
    nats = loadNatsEnv(process.env, `the ${channel} plugin`);
  } catch (error) {
    process.stderr.write(`${error.message}\n`);
    process.exit(78);
  }
  const nc = await connectNats({ url: nats.url, name: `herald-plugin-${channel}`, security: nats.security });
  logger.warn(`the ${channel} plugin is not built yet: connected to NATS and waiting; its messages stay queued on the deliver stream`);
  const stop = async () => {
    await nc.drain();
    process.exit(0);
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
} else {
  process.stderr.write(`no plugin "${channel}" in plugins/ (built-in channels: ${BUILTIN.join(', ')})\n`);
  process.exit(64);
}
