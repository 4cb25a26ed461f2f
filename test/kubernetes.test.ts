/**
 * deploy/kubernetes, checked offline: every file of the kustomize base parses and validates against
 * the Kubernetes schemas (`kubernetes-models`) and KEDA's ScaledObject schema
 * (`@kubernetes-models/keda`, plus the documented nats-jetstream trigger parameters), and the
 * manifests agree with the code: each environment variable is one the deployable reads (names from
 * the env schemas) and the ConfigMap and Secret values pass those schemas, container ports are the
 * ports the processes listen on, probe paths are the routes the gateway and the plugins serve,
 * stream and consumer names are the topology's, and every writable path is an emptyDir under a
 * read-only root file system.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { parseAllDocuments } from 'yaml';
import { ConfigMap, Secret, Service } from 'kubernetes-models/v1';
import { Deployment } from 'kubernetes-models/apps/v1';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { ScaledObject } from '@kubernetes-models/keda/keda.sh/v1alpha1';
import { PATH_METADATA } from '@nestjs/common/constants.js';
import { BUILTIN_CHANNELS, loadPluginEnv, PLUGIN_ENV_VARIABLES, silentLogger, topology } from '@herald/contracts';
import { ALERT_ENV_VARIABLES, DEFAULT_ALERT_HTTP_PORT, loadAlertEnv } from '@herald/plugin-alert';
import { loadMailEnv, MAIL_ENV_VARIABLES } from '@herald/plugin-mail';
import { loadMsteamsEnv, MSTEAMS_ENV_VARIABLES } from '@herald/plugin-msteams';
import { loadSlackEnv, SLACK_ENV_VARIABLES } from '@herald/plugin-slack';
import { DEFAULT_WEBHOOKS_HTTP_PORT, loadWebhooksEnv, WEBHOOKS_ENV_VARIABLES } from '@herald/plugin-webhooks';
import { SecretBox } from '../contracts/src/secrets/secret-box.js';
import { startPluginHttpServer, type PluginHttpServer } from '../contracts/src/sdk/plugin-http-server.js';
import { GATEWAY_ENV_VARIABLES, parseGatewayConfig } from '../gateway/src/config/gateway-config.js';
import { HealthController } from '../gateway/src/health/health.controller.js';
import { REPO_ROOT } from './support/processes.js';

const DIR = join(REPO_ROOT, 'deploy', 'kubernetes');

type Manifest = { apiVersion: string; kind: string; metadata: { name: string; labels?: Record<string, string> }; [key: string]: unknown };
interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { configMapKeyRef?: { name: string; key: string }; secretKeyRef?: { name: string; key: string } };
}
interface Probe {
  httpGet: { path: string; port: string | number };
}
interface Container {
  name: string;
  image: string;
  command: string[];
  ports: Array<{ name: string; containerPort: number }>;
  env: EnvVar[];
  livenessProbe: Probe;
  readinessProbe: Probe;
  startupProbe?: Probe;
  resources: { requests: Record<string, string>; limits: Record<string, string> };
  securityContext: { allowPrivilegeEscalation: boolean; readOnlyRootFilesystem: boolean; capabilities: { drop: string[] } };
  volumeMounts: Array<{ name: string; mountPath: string }>;
}
interface DeploymentShape {
  metadata: { name: string };
  spec: {
    replicas: number;
    selector: { matchLabels: Record<string, string> };
    template: {
      metadata: { labels: Record<string, string> };
      spec: {
        securityContext: { runAsNonRoot: boolean; runAsUser: number };
        containers: Container[];
        volumes: Array<{ name: string; emptyDir?: object }>;
      };
    };
  };
}

function parseFile(file: string): Manifest[] {
  const documents = parseAllDocuments(readFileSync(join(DIR, file), 'utf8'));
  return documents.map((doc, index) => {
    expect({ file, index, errors: doc.errors.map((e) => e.message) }).toEqual({ file, index, errors: [] });
    const value = doc.toJS() as Manifest | null;
    if (value === null) throw new Error(`${file}: document ${index} is empty`);
    return value;
  });
}

const kustomization = parseFile('kustomization.yaml')[0] as unknown as {
  kind: string;
  resources: string[];
  images: Array<{ name: string }>;
};
const manifests = kustomization.resources.flatMap((file) => parseFile(file).map((m) => ({ file, m })));
const ofKind = <T = Manifest>(kind: string): T[] => manifests.filter(({ m }) => m.kind === kind).map(({ m }) => m as unknown as T);
const byName = <T extends { metadata: { name: string } }>(items: T[], name: string): T => {
  const found = items.find((i) => i.metadata.name === name);
  if (!found) throw new Error(`no ${name}`);
  return found;
};

const configMap = ofKind<{ metadata: { name: string }; data: Record<string, string> }>('ConfigMap');
const secrets = ofKind<{ metadata: { name: string }; stringData: Record<string, string> }>('Secret');

/** What each deployable reads, from the env schemas in code; and how it parses its environment. */
const deployables: Record<string, { variables: readonly string[]; parse: (env: Record<string, string>) => void; defaultPort?: number }> = {
  gateway: { variables: GATEWAY_ENV_VARIABLES, parse: (env) => parseGatewayConfig(env) },
  alert: {
    variables: [...PLUGIN_ENV_VARIABLES, ...ALERT_ENV_VARIABLES],
    parse: (env) => (loadPluginEnv(env, 'alert'), loadAlertEnv(env)),
    defaultPort: DEFAULT_ALERT_HTTP_PORT,
  },
  mail: { variables: [...PLUGIN_ENV_VARIABLES, ...MAIL_ENV_VARIABLES], parse: (env) => (loadPluginEnv(env, 'mail'), loadMailEnv(env)) },
  slack: { variables: [...PLUGIN_ENV_VARIABLES, ...SLACK_ENV_VARIABLES], parse: (env) => (loadPluginEnv(env, 'slack'), loadSlackEnv(env)) },
  msteams: {
    variables: [...PLUGIN_ENV_VARIABLES, ...MSTEAMS_ENV_VARIABLES],
    parse: (env) => (loadPluginEnv(env, 'msteams'), loadMsteamsEnv(env)),
  },
  webhooks: {
    variables: [...PLUGIN_ENV_VARIABLES, ...WEBHOOKS_ENV_VARIABLES],
    parse: (env) => (loadPluginEnv(env, 'webhooks'), loadWebhooksEnv(env)),
    defaultPort: DEFAULT_WEBHOOKS_HTTP_PORT,
  },
};

/** Secret values that pass Herald's checks, standing in for the placeholders an operator replaces. */
const REAL_SECRETS: Record<string, string> = {
  HERALD_SECRET_KEY: SecretBox.generateKey(),
  HERALD_ADMIN_TOKEN: 'a-long-admin-token-for-tests',
  DATABASE_URL: 'postgresql://herald:pw@herald-db-rw:5432/herald',
  SMTP_URL: 'smtp://user:pw@smtp.example.com:587',
};

function resolveEnv(env: EnvVar[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const v of env) {
    if (v.value !== undefined) out[v.name] = v.value;
    const cm = v.valueFrom?.configMapKeyRef;
    const sec = v.valueFrom?.secretKeyRef;
    if (cm) out[v.name] = byName(configMap, cm.name).data[cm.key] ?? '';
    if (sec) out[v.name] = REAL_SECRETS[sec.key] ?? byName(secrets, sec.name).stringData[sec.key] ?? '';
  }
  return out;
}

const containerOf = (name: string): Container => {
  const containers = byName(ofKind<DeploymentShape>('Deployment'), `herald-${name}`).spec.template.spec.containers;
  expect(containers).toHaveLength(1);
  return containers[0]!;
};

describe('deploy/kubernetes', () => {
  it('is a kustomize base listing every manifest file of the folder', () => {
    expect(kustomization.kind).toBe('Kustomization');
    const files = readdirSync(DIR).filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml');
    expect([...kustomization.resources].sort()).toEqual(files.sort());
    expect(kustomization.images.map((i) => i.name)).toEqual(['herald']);
  });

  it('validates against the Kubernetes and KEDA schemas', () => {
    const models: Record<string, new (data: never) => { validate(): void }> = {
      ConfigMap,
      Secret,
      Service,
      Deployment,
      PodDisruptionBudget,
      ScaledObject,
    };
    for (const { file, m } of manifests) {
      const Model = models[m.kind];
      expect({ file, kind: m.kind, known: Model !== undefined }).toEqual({ file, kind: m.kind, known: true });
      expect(() => new Model!(m as never).validate()).not.toThrow();
    }
  });

  it('has a Deployment, PodDisruptionBudget and ScaledObject per deployable, and Services for the HTTP APIs', () => {
    const names = (kind: string) =>
      ofKind(kind)
        .map((m) => m.metadata.name)
        .sort();
    const expected = ['gateway', ...BUILTIN_CHANNELS].map((n) => `herald-${n}`).sort();
    expect(Object.keys(deployables).sort()).toEqual(['gateway', ...BUILTIN_CHANNELS].sort());
    expect(names('Deployment')).toEqual(expected);
    expect(names('PodDisruptionBudget')).toEqual(expected);
    expect(names('ScaledObject')).toEqual(expected);
    expect(names('Service')).toEqual(['herald-alert', 'herald-gateway', 'herald-webhooks']);
  });

  describe.each(Object.keys(deployables))('%s', (name) => {
    const deployment = () => byName(ofKind<DeploymentShape>('Deployment'), `herald-${name}`);

    it('runs the deployable from the one image with the command docker-compose uses', () => {
      const c = containerOf(name);
      expect(c.image).toBe('herald');
      expect(c.command).toEqual(
        name === 'gateway'
          ? ['node', '--max-semi-space-size=16', '--heap-growing-percent=30', 'gateway/dist/main.js']
          : ['node', '--no-concurrent-recompilation', '--heap-growing-percent=30', 'plugins/start-plugin.mjs', name],
      );
      expect(existsSync(join(REPO_ROOT, name === 'gateway' ? 'gateway/src/main.ts' : `plugins/${name}/src/main.ts`))).toBe(true);
    });

    it('sets only variables the deployable reads, with values its env schemas accept', () => {
      const c = containerOf(name);
      const unknown = c.env.map((v) => v.name).filter((v) => !deployables[name]!.variables.includes(v));
      expect(unknown).toEqual([]);
      expect(new Set(c.env.map((v) => v.name)).size).toBe(c.env.length);
      for (const v of c.env) {
        const cm = v.valueFrom?.configMapKeyRef;
        const sec = v.valueFrom?.secretKeyRef;
        if (cm) expect({ name: v.name, has: cm.key in byName(configMap, cm.name).data }).toEqual({ name: v.name, has: true });
        if (sec) expect({ name: v.name, has: sec.key in byName(secrets, sec.name).stringData }).toEqual({ name: v.name, has: true });
        expect(v.value !== undefined || cm !== undefined || sec !== undefined).toBe(true);
      }
      const env = resolveEnv(c.env);
      expect(() => deployables[name]!.parse(env)).not.toThrow();
      expect(env['NATS_URL']).toBeDefined();
      expect(env['HERALD_STREAM_REPLICAS']).toBe('3');
    });

    it('exposes the port the process listens on, probed on /health/live and /health/ready', () => {
      const c = containerOf(name);
      const env = resolveEnv(c.env);
      const listens = Number(
        name === 'gateway' ? env['HERALD_HTTP_PORT'] : (env['HERALD_PLUGIN_HTTP_PORT'] ?? deployables[name]!.defaultPort),
      );
      expect(c.ports).toEqual([{ name: 'http', containerPort: listens, protocol: 'TCP' }]);
      expect(c.livenessProbe.httpGet).toEqual({ path: '/health/live', port: 'http' });
      expect(c.readinessProbe.httpGet).toEqual({ path: '/health/ready', port: 'http' });
      expect(c.startupProbe?.httpGet).toEqual({ path: '/health/live', port: 'http' });
    });

    it('runs as non-root on a read-only root file system, writing only to emptyDir volumes', () => {
      const pod = deployment().spec.template.spec;
      const c = containerOf(name);
      expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 1000 });
      expect(c.securityContext).toEqual({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
      for (const mount of c.volumeMounts) {
        expect(pod.volumes.find((v) => v.name === mount.name)?.emptyDir).toEqual({});
      }
      const mounted = c.volumeMounts.map((m) => m.mountPath);
      expect(mounted).toContain('/tmp');
      const dataDir = resolveEnv(c.env)['HERALD_DATA_DIR'];
      if (deployables[name]!.variables.includes('HERALD_DATA_DIR')) expect(mounted).toContain(dataDir);
    });

    it('requests and limits CPU and memory', () => {
      const { requests, limits } = containerOf(name).resources;
      const mi = (q: string) => Number(/^(\d+)Mi$/.exec(q)?.[1] ?? Number.NaN);
      expect(mi(requests['memory']!)).toBeGreaterThan(0);
      expect(mi(limits['memory']!)).toBeGreaterThanOrEqual(mi(requests['memory']!));
      expect(requests['cpu']).toBeDefined();
      expect(limits['cpu']).toBeDefined();
    });

    it('has a PodDisruptionBudget and (for HTTP APIs) a Service selecting its pods', () => {
      const labels = deployment().spec.template.metadata.labels;
      expect(deployment().spec.selector.matchLabels).toEqual({ 'app.kubernetes.io/name': `herald-${name}` });
      const pdb = byName(
        ofKind<{ metadata: { name: string }; spec: { maxUnavailable: number; selector: { matchLabels: Record<string, string> } } }>(
          'PodDisruptionBudget',
        ),
        `herald-${name}`,
      );
      expect(pdb.spec).toEqual({ maxUnavailable: 1, selector: { matchLabels: deployment().spec.selector.matchLabels } });
      expect(labels).toMatchObject(pdb.spec.selector.matchLabels);
      const service = ofKind<{
        metadata: { name: string };
        spec: { selector: Record<string, string>; ports: Array<{ targetPort: string; port: number }> };
      }>('Service').find((s) => s.metadata.name === `herald-${name}`);
      if (service) {
        expect(labels).toMatchObject(service.spec.selector);
        expect(service.spec.ports).toEqual([
          { name: 'http', port: containerOf(name).ports[0]!.containerPort, targetPort: 'http', protocol: 'TCP' },
        ]);
      }
    });

    it("scales with KEDA on the durable consumer of the topology, with KEDA's nats-jetstream parameters", () => {
      const so = byName(ofKind<{ metadata: { name: string }; spec: Record<string, unknown> }>('ScaledObject'), `herald-${name}`);
      const spec = so.spec as {
        scaleTargetRef: { name: string };
        minReplicaCount: number;
        maxReplicaCount: number;
        triggers: Array<{ type: string; metadata: Record<string, string> }>;
      };
      // ScaledObject spec fields (keda.sh/v1alpha1) and nats-jetstream trigger parameters KEDA documents.
      const specFields = [
        'scaleTargetRef',
        'pollingInterval',
        'cooldownPeriod',
        'initialCooldownPeriod',
        'idleReplicaCount',
        'minReplicaCount',
        'maxReplicaCount',
        'fallback',
        'advanced',
        'triggers',
      ];
      const triggerParameters = [
        'natsServerMonitoringEndpoint',
        'account',
        'stream',
        'consumer',
        'lagThreshold',
        'activationLagThreshold',
        'useHttps',
      ];
      expect(Object.keys(spec).filter((k) => !specFields.includes(k))).toEqual([]);
      expect(spec.scaleTargetRef).toEqual({ name: deployment().metadata.name });
      expect(spec.minReplicaCount).toBe(deployment().spec.replicas);
      expect(spec.maxReplicaCount).toBeGreaterThanOrEqual(spec.minReplicaCount);
      expect(spec.triggers).toHaveLength(1);
      const trigger = spec.triggers[0]!;
      expect(trigger.type).toBe('nats-jetstream');
      expect(Object.keys(trigger.metadata).filter((k) => !triggerParameters.includes(k))).toEqual([]);
      const topo = topology({ prefix: byName(configMap, 'herald-config').data['HERALD_SUBJECT_PREFIX']! });
      const consumer = name === 'gateway' ? topo.gatewayConsumer : topo.channelConsumer(name);
      expect(trigger.metadata).toMatchObject({ account: '$G', stream: consumer.stream, consumer: consumer.durable });
      expect(trigger.metadata['stream']).toBe(name === 'gateway' ? 'HERALD_EVENTS' : 'HERALD_DELIVER');
      expect(trigger.metadata['natsServerMonitoringEndpoint']).toMatch(/^[a-z0-9.-]+:\d+$/);
      expect(trigger.metadata['lagThreshold']).toMatch(/^[1-9]\d*$/);
    });
  });
});

describe('the probe paths are the routes the processes serve', () => {
  let server: PluginHttpServer;

  beforeAll(async () => {
    server = await startPluginHttpServer({
      port: 0,
      host: '127.0.0.1',
      health: () => ({ nats: 'connected', consumer: 'bound' }),
      metrics: new Registry(),
      api: null,
      logger: silentLogger,
    });
  });

  afterAll(async () => {
    await server.close();
  });

  it('a plugin answers /health/live and /health/ready', async () => {
    for (const path of ['/health/live', '/health/ready']) {
      expect({ path, status: (await fetch(`http://127.0.0.1:${server.port}${path}`)).status }).toEqual({ path, status: 200 });
    }
  });

  it('the gateway routes health/live and health/ready', () => {
    const controller = Reflect.getMetadata(PATH_METADATA, HealthController) as string;
    const routes = ['live', 'ready'].map((method) => {
      const handler = (HealthController.prototype as unknown as Record<string, object>)[method]!;
      return `/${controller}/${Reflect.getMetadata(PATH_METADATA, handler) as string}`;
    });
    expect(routes).toEqual(['/health/live', '/health/ready']);
  });
});
