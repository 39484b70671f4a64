/**
 * Black-box: the Kubernetes forms in deploy/kubernetes/, as `kubectl kustomize` renders each overlay.
 * Every manifest validates against the Kubernetes 1.33 API schemas (test/helpers/kubernetes.ts). The
 * facts a cluster relies on are read from the manifests and held to the gateway's own behaviour: the
 * real gateway starts with the container's environment and the ConfigMap's file, and each probe's path
 * answers 200 on the listener its port names; the preStop hook reaches the admin listener and the grace
 * period outlasts the drain the settings ask for; every container runs restricted. Then what each form
 * promises: the sidecar's app is reachable only through the gateway, and the shared gateway has Redis,
 * its admin API behind a cluster-internal Service and a Secret's token, autoscaling and a disruption
 * budget that agree with its pods.
 */
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, posix } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parse } from 'yaml';
import { freePort } from '../support/free-port.js';
import { startTestRedis, type TestRedis } from '../support/redis.js';
import { parseSettings, type ListenAddress, type Settings } from '../src/settings/schema.js';
import { startCli, type StartedCli } from './helpers/cli.js';
import { renderKustomization, schemaErrors, type Manifest } from './helpers/kubernetes.js';

const OVERLAYS = 'deploy/kubernetes/overlays';
const GATEWAY_CONTAINER = 'gatehouse';

/* The parts of the API objects the checks read. */
interface Port {
  name?: string;
  containerPort: number;
}
interface HttpProbe {
  httpGet?: { path: string; port: number | string };
}
interface Container {
  name: string;
  image: string;
  args?: string[];
  ports?: Port[];
  env?: Array<{ name: string; value?: string; valueFrom?: { secretKeyRef?: { name: string; key: string }; configMapKeyRef?: { name: string; key: string } } }>;
  readinessProbe?: HttpProbe;
  livenessProbe?: HttpProbe;
  startupProbe?: HttpProbe;
  lifecycle?: { preStop?: { exec?: { command: string[] }; sleep?: { seconds: number } } };
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  securityContext?: SecurityContext;
  volumeMounts?: Array<{ name: string; mountPath: string; subPath?: string }>;
}
interface SecurityContext {
  runAsNonRoot?: boolean;
  allowPrivilegeEscalation?: boolean;
  readOnlyRootFilesystem?: boolean;
  capabilities?: { drop?: string[] };
  seccompProfile?: { type: string };
}
interface PodSpec {
  containers: Container[];
  securityContext?: SecurityContext;
  terminationGracePeriodSeconds?: number;
  volumes?: Array<{ name: string; configMap?: { name: string }; emptyDir?: object; persistentVolumeClaim?: object }>;
}
interface Workload extends Manifest {
  spec: { replicas?: number; selector: { matchLabels: Record<string, string> }; template: { metadata: { labels: Record<string, string>; annotations?: Record<string, string> }; spec: PodSpec } };
}
interface Service extends Manifest {
  spec: { type?: string; selector: Record<string, string>; ports: Array<{ port: number; targetPort?: number | string }> };
}

const kind = <T extends Manifest>(manifests: Manifest[], name: string) => manifests.filter((manifest) => manifest.kind === name) as T[];
const workloads = (manifests: Manifest[]) => manifests.filter((manifest): manifest is Workload => ['Deployment', 'StatefulSet'].includes(manifest.kind));
const matches = (selector: Record<string, string>, labels: Record<string, string>) => Object.entries(selector).every(([key, value]) => labels[key] === value);

/** The pod that runs the gateway container, and that container. */
function gatewayPod(manifests: Manifest[]): { workload: Workload; pod: PodSpec; gateway: Container } {
  const found = workloads(manifests).flatMap((workload) => {
    const gateway = workload.spec.template.spec.containers.find((container) => container.name === GATEWAY_CONTAINER);
    return gateway ? [{ workload, pod: workload.spec.template.spec, gateway }] : [];
  });
  assert.equal(found.length, 1, 'one workload runs the gateway');
  return found[0]!;
}

/** The container's environment with Secret and ConfigMap references resolved from the rendered objects. */
function environment(container: Container, manifests: Manifest[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const variable of container.env ?? []) {
    if (variable.value !== undefined) env[variable.name] = variable.value;
    const secret = variable.valueFrom?.secretKeyRef;
    if (secret) {
      const data = (manifests.find((m) => m.kind === 'Secret' && m.metadata.name === secret.name) as { data?: Record<string, string> } | undefined)?.data;
      assert.ok(data?.[secret.key], `${variable.name} comes from Secret ${secret.name}, key ${secret.key}, which is rendered`);
      env[variable.name] = Buffer.from(data[secret.key]!, 'base64').toString('utf8');
    }
  }
  return env;
}

function settingsOf(env: Record<string, string>): Settings {
  const parsed = parseSettings(env);
  assert.ok(parsed.ok, parsed.ok ? '' : parsed.errors.join('\n'));
  return parsed.settings;
}

/** A container port (by number or by name) as a number. */
function portNumber(container: Container, port: number | string): number {
  if (typeof port === 'number') return port;
  const named = container.ports?.find((candidate) => candidate.name === port);
  assert.ok(named, `${container.name} has a port named ${port}`);
  return named.containerPort;
}

type Listener = 'PROXY_LISTEN' | 'ADMIN_LISTEN' | 'STATUS_LISTEN';

/** Which of the gateway's listeners a container port is. */
function listenerOn(settings: Settings, port: number): Listener | undefined {
  const listeners: Array<[Listener, ListenAddress | undefined]> = [['PROXY_LISTEN', settings.PROXY_LISTEN], ['ADMIN_LISTEN', settings.ADMIN_LISTEN], ['STATUS_LISTEN', settings.STATUS_LISTEN]];
  return listeners.find(([, address]) => address?.port === port)?.[0];
}

/** The file content the pod mounts at `path`, from the ConfigMap volume holding it. */
function mountedFile(pod: PodSpec, container: Container, manifests: Manifest[], path: string): { text: string; subPath?: string } {
  const mount = container.volumeMounts?.find((candidate) => path.startsWith(`${candidate.mountPath}/`));
  assert.ok(mount, `${path} is on a mounted volume`);
  const configMap = pod.volumes?.find((volume) => volume.name === mount.name)?.configMap;
  assert.ok(configMap, `${mount.mountPath} is a ConfigMap`);
  const data = (manifests.find((m) => m.kind === 'ConfigMap' && m.metadata.name === configMap.name) as { data?: Record<string, string> } | undefined)?.data;
  const key = mount.subPath ?? posix.relative(mount.mountPath, path);
  assert.ok(data?.[key] !== undefined, `ConfigMap ${configMap.name} has ${key}`);
  return { text: data[key]!, subPath: mount.subPath };
}

const drainMs = (env: Record<string, string>) => {
  for (const name of ['GATEHOUSE_DRAIN_DELAY_MS', 'GATEHOUSE_DRAIN_TIMEOUT_MS']) assert.match(env[name] ?? '', /^\d+$/, `${name} is set explicitly`);
  return Number(env.GATEHOUSE_DRAIN_DELAY_MS) + Number(env.GATEHOUSE_DRAIN_TIMEOUT_MS);
};

const overlays = readdirSync(OVERLAYS).sort();

describe('Kubernetes manifests (Kustomize overlays)', () => {
  const rendered = new Map<string, Manifest[]>();
  let redis: TestRedis;

  before(async () => {
    assert.deepEqual(overlays, ['shared-gateway', 'sidecar'], 'both deployment forms');
    for (const overlay of overlays) rendered.set(overlay, renderKustomization(join(OVERLAYS, overlay)));
    redis = await startTestRedis();
  });
  after(() => redis?.close());

  for (const overlay of overlays) {
    describe(overlay, () => {
      const manifests = () => rendered.get(overlay)!;

      it('validates against the Kubernetes 1.33 API schemas, unknown fields refused', async () => {
        assert.deepEqual(await schemaErrors(manifests()), []);
      });

      it("starts the gateway with the container's settings and config; each probe's path answers 200 on the listener its port names", async () => {
        const { workload, pod, gateway } = gatewayPod(manifests());
        const env = environment(gateway, manifests());
        const settings = settingsOf(env);
        const config = mountedFile(pod, gateway, manifests(), settings.CONFIG);
        // The container's settings, on this machine: free loopback ports, a temp snapshot, the suite's Redis.
        const statusPort = await freePort();
        const local = Object.fromEntries(
          Object.entries(env)
            .filter(([name]) => !['GATEHOUSE_CONFIG', 'GATEHOUSE_PROXY_LISTEN', 'GATEHOUSE_ADMIN_LISTEN'].includes(name))
            .map(([name, value]) => [name.slice('GATEHOUSE_'.length), value]),
        );
        if (settings.STATUS_LISTEN) local.STATUS_LISTEN = `127.0.0.1:${statusPort}`;
        if (settings.REDIS_URL) local.REDIS_URL = redis.url;
        local.SNAPSHOT = join(await mkdtemp(join(tmpdir(), 'gatehouse-k8s-')), 'snapshot.json');
        // Nothing routes to this gateway: its stop at the end of the test need not wait.
        local.DRAIN_DELAY_MS = '0';
        let started: StartedCli | undefined;
        try {
          started = await startCli(config.text, { settings: local });
          const urls: Record<Listener, string> = { PROXY_LISTEN: started.proxyUrl, ADMIN_LISTEN: started.adminUrl, STATUS_LISTEN: `http://127.0.0.1:${statusPort}` };
          const probes = { readinessProbe: gateway.readinessProbe, livenessProbe: gateway.livenessProbe, startupProbe: gateway.startupProbe };
          assert.ok(probes.readinessProbe?.httpGet && probes.livenessProbe?.httpGet, 'readiness and liveness probes over HTTP');
          for (const [which, probe] of Object.entries(probes)) {
            if (!probe?.httpGet) continue;
            const listener = listenerOn(settings, portNumber(gateway, probe.httpGet.port));
            assert.ok(listener === 'STATUS_LISTEN' || listener === 'ADMIN_LISTEN', `${which} targets the status or admin listener (tokenless probe paths), not ${listener}`);
            const res = await fetch(`${urls[listener]}${probe.httpGet.path}`);
            assert.equal(res.status, 200, `${which}: GET ${probe.httpGet.path} on the ${listener}`);
          }
          // The readiness path is the one that reports not ready: it is what the drain turns 503.
          assert.equal(probes.readinessProbe!.httpGet!.path, '/status/ready');

          const annotations = workload.spec.template.metadata.annotations ?? {};
          if (annotations['prometheus.io/scrape'] === 'true') {
            const listener = listenerOn(settings, Number(annotations['prometheus.io/port']));
            assert.ok(listener, 'the scrape port is one of the gateway listeners');
            const scrape = await fetch(`${urls[listener]}${annotations['prometheus.io/path'] ?? '/metrics'}`);
            assert.equal(scrape.status, 200);
            assert.match(await scrape.text(), /^gatehouse_config_version /m);
          }
        } finally {
          await started?.cli.stop();
        }
      });

      it('drains before the grace period ends: preStop reaches the admin listener, and the other containers outlast the drain', () => {
        const { pod, gateway } = gatewayPod(manifests());
        const env = environment(gateway, manifests());
        const settings = settingsOf(env);
        const command = gateway.lifecycle?.preStop?.exec?.command ?? [];
        assert.deepEqual(command.slice(0, 2), ['gatehouse', 'stop']);
        // `gatehouse stop` asks the admin API at --admin-url, by default at GATEHOUSE_ADMIN_LISTEN from the
        // container's environment (its default: 127.0.0.1:8001), reached over the pod's loopback.
        const flag = command.indexOf('--admin-url');
        if (flag >= 0) assert.equal(Number(new URL(command[flag + 1]!).port), settings.ADMIN_LISTEN.port, 'preStop finds the admin listener');
        assert.ok(['127.0.0.1', '0.0.0.0', '::'].includes(settings.ADMIN_LISTEN.host), 'the admin listener answers on the loopback address');
        const drain = drainMs(env);
        const graceMs = (pod.terminationGracePeriodSeconds ?? 30) * 1000;
        assert.ok(graceMs > drain, `terminationGracePeriodSeconds (${graceMs} ms) outlasts the drain (${drain} ms)`);
        for (const container of pod.containers.filter((c) => c !== gateway)) {
          const sleepMs = (container.lifecycle?.preStop?.sleep?.seconds ?? 0) * 1000;
          assert.ok(sleepMs >= drain && sleepMs < graceMs, `${container.name} keeps serving while the gateway drains (preStop sleep ${sleepMs} ms)`);
        }
      });

      it('runs every container restricted: non-root, read-only root filesystem, no privilege escalation, no capabilities, resources set', () => {
        for (const workload of workloads(manifests())) {
          const pod = workload.spec.template.spec;
          for (const container of pod.containers) {
            const where = `${workload.metadata.name}/${container.name}`;
            const security = { ...pod.securityContext, ...container.securityContext };
            assert.equal(security.runAsNonRoot, true, `${where}: runAsNonRoot`);
            assert.equal(security.readOnlyRootFilesystem, true, `${where}: readOnlyRootFilesystem`);
            assert.equal(security.allowPrivilegeEscalation, false, `${where}: allowPrivilegeEscalation`);
            assert.deepEqual(security.capabilities?.drop, ['ALL'], `${where}: every capability dropped`);
            assert.equal(security.seccompProfile?.type, 'RuntimeDefault', `${where}: seccomp`);
            assert.ok(container.resources?.requests?.cpu && container.resources.requests.memory && container.resources.limits?.memory, `${where}: requests and a memory limit`);
          }
        }
        // What the gateway writes, on volumes: its snapshot's folder and /tmp.
        const { gateway } = gatewayPod(manifests());
        const settings = settingsOf(environment(gateway, manifests()));
        for (const path of [posix.dirname(settings.SNAPSHOT), '/tmp']) {
          assert.ok(gateway.volumeMounts?.some((mount) => mount.mountPath === path), `${path} is a mounted volume`);
        }
      });
    });
  }

  it("sidecar: the app is reachable only through the gateway's port, and config edits reach the gateway", () => {
    const manifests = rendered.get('sidecar')!;
    const { workload, pod, gateway } = gatewayPod(manifests);
    const env = environment(gateway, manifests);
    const settings = settingsOf(env);
    const gatewayPorts = new Set((gateway.ports ?? []).flatMap((port) => [port.name, port.containerPort]));
    for (const app of pod.containers.filter((container) => container !== gateway)) {
      assert.deepEqual(app.ports ?? [], [], `${app.name} declares no port`);
    }
    const services = kind<Service>(manifests, 'Service').filter((service) => matches(service.spec.selector, workload.spec.template.metadata.labels));
    assert.ok(services.length > 0, "a Service selects the app's pods");
    for (const service of services) {
      for (const port of service.spec.ports) {
        const target = portNumber(gateway, port.targetPort ?? port.port);
        assert.equal(listenerOn(settings, target), 'PROXY_LISTEN', `Service ${service.metadata.name} port ${port.port} leads to the gateway's proxy listener`);
      }
    }
    const policies = kind<Manifest & { spec: { podSelector: { matchLabels: Record<string, string> }; ingress: Array<{ ports?: Array<{ port: number | string }> }> } }>(manifests, 'NetworkPolicy');
    const policy = policies.find((candidate) => matches(candidate.spec.podSelector.matchLabels, workload.spec.template.metadata.labels));
    assert.ok(policy, "a NetworkPolicy covers the app's pods");
    for (const rule of policy.spec.ingress) {
      assert.ok(rule.ports && rule.ports.length > 0, 'every ingress rule names its ports');
      for (const { port } of rule.ports) assert.ok(gatewayPorts.has(port), `ingress to ${port} is a gateway port`);
    }

    // The gateway's upstreams are the app on the pod's loopback, where the app's own arguments say it listens.
    const config = mountedFile(pod, gateway, manifests, settings.CONFIG);
    const urls = (parse(config.text) as { services: Array<{ url: string }> }).services.map((service) => new URL(service.url));
    const appArgs = pod.containers.filter((container) => container !== gateway).flatMap((container) => container.args ?? []);
    for (const url of urls) {
      assert.equal(url.hostname, '127.0.0.1', `${url} stays inside the pod`);
      assert.ok(appArgs.some((arg) => arg.endsWith(`127.0.0.1:${url.port}`)), `the app listens on 127.0.0.1:${url.port} only`);
    }
    // A folder mount (not subPath) of an unhashed ConfigMap: an edit reaches the file, and WATCH_CONFIG reloads it.
    assert.equal(config.subPath, undefined);
    assert.equal(settings.WATCH_CONFIG, true);
  });

  it('shared-gateway: Redis, the admin API behind a cluster-internal Service and a Secret, autoscaling and a disruption budget that fit the pods', () => {
    const manifests = rendered.get('shared-gateway')!;
    const { workload, gateway } = gatewayPod(manifests);
    const podLabels = workload.spec.template.metadata.labels;
    const settings = settingsOf(environment(gateway, manifests));
    const services = kind<Service>(manifests, 'Service');

    const redisUrl = new URL(settings.REDIS_URL ?? '');
    const redisService = services.find((service) => service.metadata.name === redisUrl.hostname);
    assert.ok(redisService, `GATEHOUSE_REDIS_URL names the Service ${redisUrl.hostname}`);
    assert.ok(redisService.spec.ports.some((port) => port.port === Number(redisUrl.port)));
    const redisPods = workloads(manifests).filter((candidate) => matches(redisService.spec.selector, candidate.spec.template.metadata.labels));
    assert.equal(redisPods.map((candidate) => candidate.kind).join(), 'StatefulSet', 'Redis runs as a StatefulSet behind that Service');

    assert.ok(gateway.env?.some((variable) => variable.name === 'GATEHOUSE_ADMIN_TOKEN' && variable.valueFrom?.secretKeyRef), 'the admin token comes from a Secret');
    const byListener = (listener: Listener) =>
      services.filter((service) => matches(service.spec.selector, podLabels) && service.spec.ports.some((port) => listenerOn(settings, portNumber(gateway, port.targetPort ?? port.port)) === listener));
    const [admin] = byListener('ADMIN_LISTEN');
    assert.ok(admin, 'a Service leads to the admin listener');
    assert.equal(admin.spec.type ?? 'ClusterIP', 'ClusterIP', 'the admin API stays inside the cluster');
    assert.ok(byListener('PROXY_LISTEN').length > 0, 'a Service leads to the proxy listener');

    const [hpa] = kind<Manifest & { spec: { scaleTargetRef: { kind: string; name: string }; minReplicas: number } }>(manifests, 'HorizontalPodAutoscaler');
    assert.ok(hpa, 'a HorizontalPodAutoscaler');
    assert.deepEqual([hpa.spec.scaleTargetRef.kind, hpa.spec.scaleTargetRef.name], [workload.kind, workload.metadata.name]);
    assert.ok(hpa.spec.minReplicas >= 2, 'at least two replicas, so one can drain while another serves');
    assert.equal(workload.spec.replicas, undefined, 'the autoscaler alone sets the replica count');
    const [pdb] = kind<Manifest & { spec: { selector: { matchLabels: Record<string, string> }; maxUnavailable?: number } }>(manifests, 'PodDisruptionBudget');
    assert.ok(pdb && matches(pdb.spec.selector.matchLabels, podLabels), "a PodDisruptionBudget covers the gateway's pods");
    assert.ok((pdb.spec.maxUnavailable ?? 0) < hpa.spec.minReplicas, 'a disruption leaves a replica serving');
  });
});
