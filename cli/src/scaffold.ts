/**
 * `herald plugin new <channel>`: writes the skeleton of a third-party channel plugin into a new
 * folder (default `./herald-plugin-<channel>`): package.json, tsconfig.json, src/plugin.ts (posts
 * each message to an incoming-webhook URL), src/main.ts (`runPluginMain`),
 * src/plugin.conformance.test.ts (the SDK's conformance suite against a local HTTP sink and real
 * NATS) and README.md. It depends on `@herald/contracts` and `zod` only.
 */
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { CHANNEL_NAME_PATTERN } from '@herald/contracts';

/** Range of `@herald/contracts` the scaffolded plugin depends on. */
export const SDK_RANGE = '^0.1.0';

export interface ScaffoldOptions {
  readonly channel: string;
  /** Target folder; must not exist or be empty. @default `./herald-plugin-<channel>` */
  readonly dir?: string;
}

const PACKAGE_JSON = (channel: string): string =>
  `${JSON.stringify(
    {
      name: `herald-plugin-${channel}`,
      version: '0.1.0',
      private: true,
      description: `Herald channel plugin: ${channel}`,
      type: 'module',
      engines: { node: '>=24' },
      scripts: {
        build: 'tsc',
        start: 'node dist/main.js',
        test: 'tsc && node --test "dist/**/*.test.js"',
      },
      dependencies: { '@herald/contracts': SDK_RANGE, zod: '^4.1.0' },
      devDependencies: { '@types/node': '^24.0.0', typescript: '^6.0.0' },
    },
    null,
    2,
  )}\n`;

const TSCONFIG = `${JSON.stringify(
  {
    compilerOptions: {
      target: 'es2024',
      lib: ['es2024'],
      module: 'nodenext',
      moduleResolution: 'nodenext',
      types: ['node'],
      strict: true,
      skipLibCheck: false,
      rootDir: 'src',
      outDir: 'dist',
      sourceMap: true,
    },
    include: ['src'],
  },
  null,
  2,
)}\n`;

const PLUGIN_TS = (channel: string): string => `import { definePlugin, outcomes, type ChannelMessage } from '@herald/contracts';
import { z } from 'zod';

export const configSchema = z.object({ url: z.url({ protocol: /^https?$/ }) });
export type Config = z.infer<typeof configSchema>;
export interface Request {
  readonly url: string;
  readonly text: string;
}

/** A non-2xx answer: 4xx (except 408 and 429) is permanent, the rest is retried. */
export class PostFailed extends Error {
  constructor(readonly status: number) {
    super(\`the webhook answered HTTP \${status}\`);
  }
}

export const plugin = definePlugin<Config, Request>({
  channel: '${channel}',
  version: '0.1.0',
  configSchema,
  secretFields: ['url'],
  render: (message: ChannelMessage, config) => ({ url: config.url, text: \`\${message.event_label}: \${message.event.data.title}\` }),
  async send(request, { signal }) {
    const body = JSON.stringify({ text: request.text });
    const res = await fetch(request.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body, signal });
    if (!res.ok) throw new PostFailed(res.status);
    return outcomes.delivered();
  },
  classifyError: (error) =>
    error instanceof PostFailed && error.status < 500 && ![408, 429].includes(error.status)
      ? outcomes.failed(error.message)
      : outcomes.retry(error instanceof Error ? error.message : String(error)),
});
`;

const MAIN_TS = `import { runPluginMain } from '@herald/contracts';
import { plugin } from './plugin.js';

await runPluginMain(plugin);
`;

const CONFORMANCE_TS = (channel: string): string => `import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { channelMessage, describePluginConformance, startPluginHarness } from '@herald/contracts/testing';
import { plugin, PostFailed } from './plugin.js';

// A local incoming-webhook endpoint that counts the posts it receives.
let received = 0;
const sink = createServer((req, res) => {
  req.resume().on('end', () => {
    received += 1;
    res.end('ok');
  });
});
await new Promise<void>((resolve) => sink.listen(0, '127.0.0.1', resolve));
sink.unref();
const url = \`http://127.0.0.1:\${(sink.address() as AddressInfo).port}/hook\`;

describePluginConformance('${channel}', {
  plugin,
  sampleMessages: [channelMessage('${channel}', 'scan_added', { scope: 'system' })],
  sampleConfig: { url },
  thrownErrors: [new PostFailed(404), new PostFailed(503), new TypeError('fetch failed')],
  harness: async () => ({ harness: await startPluginHarness({ plugin, config: { url } }), sentCount: () => received }),
});
`;

const README = (channel: string): string => `# herald-plugin-${channel}

A Herald channel plugin: every message for the \`${channel}\` channel is posted as
\`{ "text": "…" }\` to the incoming-webhook URL configured for the channel
(\`PUT /api/v1/channels/${channel}/config\` with \`{ "url": "https://…" }\`; the URL is a secret field).

Written against \`@herald/contracts\`, whose README (\`node_modules/@herald/contracts/README.md\`)
documents the SDK: the plugin definition, the lifecycle, outcomes and the conformance kit.
The packages are ESM only (\`"type": "module"\`).

- \`src/plugin.ts\`: the plugin (render a message, send it, classify errors).
- \`src/main.ts\`: the process (\`runPluginMain\`: environment, NATS, health, graceful shutdown).
- \`src/plugin.conformance.test.ts\`: the SDK's conformance suite against a local HTTP endpoint.

\`\`\`sh
npm install
npm run build
NATS_URL=nats://127.0.0.1:4222 npm test       # conformance suite under node --test, real NATS
NATS_URL=nats://127.0.0.1:4222 npm start      # run the plugin (HERALD_PLUGIN_HTTP_PORT for health)
\`\`\`

The same test file runs under Jest: \`npm install --save-dev jest @jest/globals\`, then
\`NODE_OPTIONS=--experimental-vm-modules npx jest --testMatch '**/dist/**/*.test.js'\`.
`;

/** The files of the skeleton, by path relative to the plugin's folder. */
export function scaffoldFiles(channel: string): Record<string, string> {
  return {
    'package.json': PACKAGE_JSON(channel),
    'tsconfig.json': TSCONFIG,
    'src/plugin.ts': PLUGIN_TS(channel),
    'src/main.ts': MAIN_TS,
    'src/plugin.conformance.test.ts': CONFORMANCE_TS(channel),
    'README.md': README(channel),
  };
}

/** Writes the skeleton; returns the folder. Throws on an invalid channel name or a non-empty folder. */
export function scaffoldPlugin(options: ScaffoldOptions, cwd = process.cwd()): { dir: string; files: string[] } {
  if (!CHANNEL_NAME_PATTERN.test(options.channel)) {
    throw new Error(`invalid channel name "${options.channel}": it must match ${CHANNEL_NAME_PATTERN.source} (e.g. "mattermost")`);
  }
  const dir = resolve(cwd, options.dir ?? `herald-plugin-${options.channel}`);
  if (existsSync(dir) && readdirSync(dir).length > 0) throw new Error(`${dir} exists and is not empty: choose another folder with --dir`);
  const files = scaffoldFiles(options.channel);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), text, { flag: 'wx' });
  }
  return { dir, files: Object.keys(files) };
}
