/**
 * `herald`: publish an event, create a token, tail deliveries, list and replay dead letters, list
 * alerts, generate a secret key. Talks to NATS directly for publishing and tailing, and to the
 * HTTP API (HERALD_URL, default http://localhost:8080) with an admin token for the rest.
 * Exit codes: 0 ok, 64 usage, 65 invalid input, 69 service unavailable, 1 other failure.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { jetstream } from '@nats-io/jetstream';
import {
  connectNats,
  decodeJson,
  decodeStatusReport,
  eventMessageId,
  formatIssues,
  hasErrorCode,
  loadNatsEnv,
  subjects,
  validateEvent,
} from '@herald/contracts';
import { parseArgs, stringOption, UsageError, type ParsedArgs } from './args.js';
import { scaffoldPlugin } from './scaffold.js';

type Env = Readonly<Record<string, string | undefined>>;
type Out = (line: string) => void;

export const EXIT = { ok: 0, failure: 1, usage: 64, invalid: 65, unavailable: 69, config: 78 } as const;

/** Connects with the NATS variables of the environment (URL, credentials, TLS), checked first. */
function connectFromEnv(env: Env, name: string) {
  const nats = loadNatsEnv(env, 'the herald CLI');
  return connectNats({ url: nats.url, name, security: nats.security });
}

const HELP: Record<string, string> = {
  main: `herald — Herald's command line

Usage: herald <command> [options]

Commands:
  publish <type>          publish an event to NATS (--data JSON | --file PATH, --id, --source, --recipients a,b)
  simulate <type>         what routing would do with an event now, sending nothing (--data JSON, --user NAME, --product ID)
  token create            create an API token (--user ID for a user token; none = admin)
  deliveries tail         print delivery statuses as they arrive (--channel C, --event ID)
  dead-letters list       list dead letters (--stage ingest|route|deliver)
  dead-letters replay ID  publish a dead letter again
  alerts list --user ID   list a user's alerts (--unread)
  secret                  print a new HERALD_SECRET_KEY (32 random bytes, base64)
  plugin new <channel>    write a new channel plugin's skeleton (--dir PATH, default ./herald-plugin-<channel>)

Environment: NATS_URL (nats://127.0.0.1:4222), NATS credentials and TLS (NATS_USER + NATS_PASSWORD,
NATS_TOKEN, NATS_NKEY_SEED(_FILE), NATS_CREDS_FILE, NATS_TLS_CA_FILE, NATS_TLS_CERT_FILE + NATS_TLS_KEY_FILE),
HERALD_SUBJECT_PREFIX (herald),
HERALD_URL (http://localhost:8080), HERALD_TOKEN or HERALD_ADMIN_TOKEN (else <HERALD_DATA_DIR>/admin-token).
Run "herald <command> --help" for a command's options.`,
  plugin: `Usage: herald plugin new <channel> [--dir PATH]

Writes a channel plugin's skeleton (package.json, tsconfig.json, src/plugin.ts, src/main.ts,
src/plugin.conformance.test.ts, README.md) into PATH (default ./herald-plugin-<channel>), which must
not exist or be empty. The plugin posts each message to an incoming-webhook URL; its conformance
test runs with "npm test" (node --test) against the NATS of NATS_URL.`,
  publish: `Usage: herald publish <type> [--data JSON | --file PATH] [--id ID] [--source SOURCE] [--recipients a,b]

Publishes a CloudEvents 1.0 event to <prefix>.events.<type>, validated first with the gateway's
rules. Prints the event id. --id defaults to a random id, --source to "cli".`,
  simulate: `Usage: herald simulate <type> [--data JSON | --file PATH] [--user USERNAME] [--product ID] [--id ID] [--source SOURCE] [--recipients a,b]

Asks the gateway (POST /api/v1/events/simulate) which deliveries the event would produce now and
why, publishing nothing. Prints the result as JSON: { column, simulated_at, user, deliveries, decisions }.
--user restricts it to one user (a user token in HERALD_TOKEN always sees only its own user);
--product ID sets data.product to that product (routing reads its id; its type comes from the directory).`,
  token: `Usage: herald token create [--user ID]

Creates an API token through the API (needs an admin token) and prints it once.`,
  deliveries: `Usage: herald deliveries tail [--channel C] [--event ID]

Prints each delivery status (one JSON line) as plugins report it, until interrupted.`,
  'dead-letters': `Usage: herald dead-letters list [--stage ingest|route|deliver]
       herald dead-letters replay <id>`,
  alerts: `Usage: herald alerts list --user ID [--unread]`,
  secret: `Usage: herald secret

Prints a new random HERALD_SECRET_KEY (32 bytes, base64).`,
};

function adminToken(env: Env): string {
  const token = env['HERALD_TOKEN'] ?? env['HERALD_ADMIN_TOKEN'];
  if (token) return token;
  const file = join(env['HERALD_DATA_DIR'] ?? '.herald', 'admin-token');
  try {
    return readFileSync(file, 'utf8').trim();
  } catch {
    throw new UsageError(`no admin token: set HERALD_TOKEN, or run from the directory where \`npm start\` wrote ${file}`);
  }
}

class ApiFailure extends Error {
  constructor(
    message: string,
    readonly exit: number,
  ) {
    super(message);
  }
}

async function api(env: Env, method: string, path: string, body?: unknown): Promise<unknown> {
  const base = (env['HERALD_URL'] ?? 'http://localhost:8080').replace(/\/+$/, '');
  let res: Response;
  try {
    res = await fetch(`${base}/api/v1${path}`, {
      method,
      headers: { authorization: `Bearer ${adminToken(env)}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? null : JSON.stringify(body),
    });
  } catch (error) {
    throw new ApiFailure(`cannot reach Herald at ${base}: ${(error as Error).message}. Is it running (npm start)?`, EXIT.unavailable);
  }
  const text = await res.text();
  const parsed: unknown = text === '' ? null : JSON.parse(text);
  if (!res.ok) {
    const message = (parsed as { error?: { message?: string } } | null)?.error?.message ?? text;
    throw new ApiFailure(
      `${method} ${path} → ${res.status}: ${message}`,
      res.status >= 400 && res.status < 500 ? EXIT.invalid : EXIT.failure,
    );
  }
  return parsed;
}

/** The event `publish` and `simulate` build from their options; `null` (after printing why) when --data is not JSON. */
function eventFromArgs(command: string, args: ParsedArgs, err: Out) {
  const type = args.positionals[1];
  if (!type)
    throw new UsageError(
      `${command} needs an event type, e.g. \`herald ${command} scan_added --data '{"product":{"id":"1","name":"Web"}}'\``,
    );
  const raw =
    stringOption(args, 'file') !== undefined ? readFileSync(stringOption(args, 'file')!, 'utf8') : (stringOption(args, 'data') ?? '{}');
  let data: unknown;
  try {
    data = JSON.parse(raw);
  } catch (error) {
    err(`--data/--file is not JSON: ${(error as Error).message}`);
    return null;
  }
  const recipients = stringOption(args, 'recipients');
  const product = stringOption(args, 'product');
  const extra = {
    ...(recipients === undefined ? {} : { recipients: recipients.split(',').map((r) => r.trim()) }),
    ...(product === undefined ? {} : { product: { id: product, name: product } }),
  };
  return {
    specversion: '1.0',
    id: stringOption(args, 'id') ?? `cli-${randomBytes(8).toString('hex')}`,
    source: stringOption(args, 'source') ?? 'cli',
    type,
    // options are added to an object only: anything else goes as it is, for validation to name it
    data: Object.keys(extra).length === 0 ? data : { ...(data as object), ...extra },
  };
}

async function simulate(args: ParsedArgs, env: Env, out: Out, err: Out): Promise<number> {
  const event = eventFromArgs('simulate', args, err);
  if (event === null) return EXIT.invalid;
  const username = stringOption(args, 'user');
  const result = await api(env, 'POST', '/events/simulate', username === undefined ? { event } : { event, username });
  out(JSON.stringify(result, null, 2));
  return EXIT.ok;
}

async function publish(args: ParsedArgs, env: Env, out: Out, err: Out): Promise<number> {
  const event = eventFromArgs('publish', args, err);
  if (event === null) return EXIT.invalid;
  const { type } = event;
  const checked = validateEvent(event, new Date());
  if (!checked.ok) {
    err(`invalid event: ${formatIssues(checked.issues)}`);
    return EXIT.invalid;
  }
  const nc = await connectFromEnv(env, 'herald-cli');
  try {
    await jetstream(nc).publish(subjects(env['HERALD_SUBJECT_PREFIX'] ?? 'herald').event(type), JSON.stringify(event), {
      msgID: eventMessageId(event),
    });
  } finally {
    await nc.close();
  }
  out(event.id);
  return EXIT.ok;
}

async function tail(args: ParsedArgs, env: Env, out: Out, signal: AbortSignal | undefined): Promise<number> {
  const channel = stringOption(args, 'channel');
  const eventId = stringOption(args, 'event');
  const s = subjects(env['HERALD_SUBJECT_PREFIX'] ?? 'herald');
  const nc = await connectFromEnv(env, 'herald-cli-tail');
  const sub = nc.subscribe(channel ? s.status(channel) : s.allStatus);
  const stop = (): void => sub.unsubscribe();
  signal?.addEventListener('abort', stop);
  process.once('SIGINT', stop);
  for await (const msg of sub) {
    // one status per line, also for a report carrying several (a batch)
    const report = decodeStatusReport(decodeJson(msg.data));
    if (!report.ok) {
      if (eventId === undefined) out(msg.string()); // not a status report: shown as it came, unfiltered
      continue;
    }
    for (const status of report.statuses) if (eventId === undefined || status.event_id === eventId) out(JSON.stringify(status));
  }
  await nc.close();
  return EXIT.ok;
}

/** Runs the CLI; `out` receives result lines, `err` diagnostics. */
export async function main(
  argv: readonly string[],
  env: Env,
  out: Out = (l) => process.stdout.write(`${l}\n`),
  err: Out = (l) => process.stderr.write(`${l}\n`),
  signal?: AbortSignal,
): Promise<number> {
  const args = parseArgs(argv, new Set(['help', 'unread']));
  const [command, sub] = args.positionals;
  const help = args.options.has('help');
  try {
    if (command === undefined || command === 'help') {
      out(HELP['main']!);
      return command === undefined && !help ? EXIT.usage : EXIT.ok;
    }
    if (help) {
      out(HELP[command] ?? HELP['main']!);
      return EXIT.ok;
    }
    switch (command) {
      case 'secret':
        out(randomBytes(32).toString('base64'));
        return EXIT.ok;
      case 'publish':
        return await publish(args, env, out, err);
      case 'simulate':
        return await simulate(args, env, out, err);
      case 'token': {
        if (sub !== 'create') throw new UsageError(HELP['token']);
        const user = stringOption(args, 'user');
        const created = (await api(env, 'POST', '/tokens', user === undefined ? {} : { user_id: user })) as { token: string; id: string };
        out(created.token);
        err(`token ${created.id} created${user === undefined ? ' (admin)' : ` for user ${user}`}; it is shown only once`);
        return EXIT.ok;
      }
      case 'deliveries':
        if (sub !== 'tail') throw new UsageError(HELP['deliveries']);
        return await tail(args, env, out, signal);
      case 'dead-letters': {
        if (sub === 'list') {
          const stage = stringOption(args, 'stage');
          const page = (await api(env, 'GET', `/dead-letters${stage ? `?stage=${encodeURIComponent(stage)}` : ''}`)) as {
            items: unknown[];
          };
          for (const item of page.items) out(JSON.stringify(item));
          return EXIT.ok;
        }
        if (sub === 'replay' && args.positionals[2]) {
          out(JSON.stringify(await api(env, 'POST', `/dead-letters/${encodeURIComponent(args.positionals[2])}/replay`, {})));
          return EXIT.ok;
        }
        throw new UsageError(HELP['dead-letters']);
      }
      case 'plugin': {
        const channel = args.positionals[2];
        if (sub !== 'new' || channel === undefined) throw new UsageError(HELP['plugin']);
        const dir = stringOption(args, 'dir');
        const written = scaffoldPlugin(dir === undefined ? { channel } : { channel, dir });
        for (const file of written.files) out(join(written.dir, file));
        err(`plugin "${channel}" scaffolded in ${written.dir}: cd there, npm install, npm run build, NATS_URL=… npm test`);
        return EXIT.ok;
      }
      case 'alerts': {
        const user = stringOption(args, 'user');
        if (sub !== 'list' || user === undefined) throw new UsageError(HELP['alerts']);
        const page = (await api(
          env,
          'GET',
          `/users/${encodeURIComponent(user)}/alerts${args.options.has('unread') ? '?unread=true' : ''}`,
        )) as { items: unknown[] };
        for (const item of page.items) out(JSON.stringify(item));
        return EXIT.ok;
      }
      default:
        throw new UsageError(`unknown command "${command}"\n\n${HELP['main']!}`);
    }
  } catch (error) {
    if (error instanceof UsageError) {
      err(error.message);
      return EXIT.usage;
    }
    if (error instanceof ApiFailure) {
      err(error.message);
      return error.exit;
    }
    if (hasErrorCode(error, 'infrastructure_unavailable')) {
      err(error.message);
      return EXIT.unavailable;
    }
    if (hasErrorCode(error, 'invalid_configuration')) {
      err(error.message);
      return EXIT.config;
    }
    err(`herald ${command}: ${(error as Error).message}`);
    return EXIT.failure;
  }
}
