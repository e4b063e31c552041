// `bulkhead agent install`: the agent as a systemd service + timer (systemd.service(5), systemd.timer(5)), or as a
// Kubernetes DaemonSet on the nodes that run dockerd, with the host's / mounted read-only at /host and `--root /host`
// (kubernetes.io/docs/concepts/storage/volumes/#hostpath). Every input is checked here; the CLI only prints.
import { parseDuration } from '../shared/duration.js';
import { UsageError } from '../shared/errors.js';
import { labelsSchema } from '../shared/fleet-report.js';
import {
  checkDnsLabel,
  checkImage,
  DEFAULT_IMAGE,
  LOCKED_DOWN,
  PART_OF,
  parseKubeLabel,
  renderManifests,
  type KubeObject,
} from '../shared/kube-manifest.js';
import {
  execLine,
  renderUnit,
  serviceSandbox,
  textValue,
  timeSpan,
  underHome,
  type InstallResult,
  type UnitLine,
} from '../shared/systemd-unit.js';
import { TOOL_VERSION } from '../shared/version.js';
// types only (erased from the build): the manifests are checked field by field against the Kubernetes API types at
// compile time, and test/agent/install.test.ts validates the printed YAML against the OpenAPI schemas
import type { IDaemonSet } from 'kubernetes-models/apps/v1/DaemonSet';
import type { INamespace } from 'kubernetes-models/v1/Namespace';
import type { IServiceAccount } from 'kubernetes-models/v1/ServiceAccount';

export const AGENT_STATE_DIR = '/var/lib/bulkhead/agent';
export const DEFAULT_TOKEN_FILE = '/etc/bulkhead/agent-enrol-token';
/** Where the DaemonSet mounts the enrolment token Secret, and the one key every node reads. */
const POD_TOKEN_DIR = '/etc/bulkhead/enrol';
export const ENROL_SECRET = 'bulkhead-agent-enrol';
export const ENROL_SECRET_KEY = 'token';

/** An http(s) base URL with no path, query, fragment or credentials (the agent appends /api/v1/...). */
export function parseServerUrl(raw: string, flag = '--server'): string {
  const trimmed = raw.replace(/\/+$/, '');
  let url: URL | undefined;
  try {
    url = new URL(trimmed);
  } catch {
    url = undefined;
  }
  if (
    url === undefined ||
    (url.protocol !== 'http:' && url.protocol !== 'https:') ||
    url.username !== '' ||
    url.password !== '' ||
    url.pathname !== '/' ||
    url.search !== '' ||
    url.hash !== '' ||
    !/^https?:\/\/[^/?#@\s]+$/.test(trimmed)
  )
    throw new UsageError(`${flag} ${JSON.stringify(raw)} is not an http(s):// base URL`, {
      hint: `e.g. ${flag} https://bulkhead.example:8080 (no path, no user:password@)`,
    });
  return trimmed;
}

export interface AgentInstallFlags {
  readonly server: string | undefined;
  readonly tokenFile?: string | undefined;
  readonly every?: string | undefined;
  readonly randomDelay?: string | undefined;
  readonly labels?: readonly string[];
  /** systemd: the argv that starts bulkhead (src/shared/self-binary.ts). */
  readonly command: readonly string[];
  /** kubernetes */
  readonly image?: string | undefined;
  readonly namespace?: string | undefined;
  readonly nodeSelector?: string | undefined;
}

export interface AgentInstallPlan {
  readonly server: string;
  readonly tokenFile: string;
  readonly everyMs: number;
  readonly randomDelayMs: number;
  readonly labels: readonly (readonly [string, string])[];
  readonly command: readonly string[];
  readonly image: string;
  readonly namespace: string;
  readonly nodeSelector: readonly [string, string];
}

/** Milliseconds as the agent's own --every takes them (1d, 6h, 15m, 90s). */
export function agentDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s % 86_400 === 0) return `${s / 86_400}d`;
  if (s % 3600 === 0) return `${s / 3600}h`;
  if (s % 60 === 0) return `${s / 60}m`;
  return `${s}s`;
}

/** Every flag checked: a bad one is a usage error (exit 2) that names it. */
export function planAgentInstall(flags: AgentInstallFlags): AgentInstallPlan {
  if (flags.server === undefined)
    throw new UsageError('agent install needs --server URL', {
      hint: 'e.g. --server https://bulkhead.example:8080',
    });
  const server = parseServerUrl(flags.server);
  const everyMs = parseDuration(flags.every ?? '1h', '--every');
  if (everyMs % 1000 !== 0)
    throw new UsageError(`--every ${String(flags.every)} is not a whole number of seconds`, {
      hint: 'timers and the agent count in seconds: e.g. --every 30s, 15m, 1h',
    });
  // spread a fleet's runs over a quarter of the interval (at most an hour), so agents do not push at once
  const randomDelayMs =
    flags.randomDelay === undefined
      ? Math.min(Math.round(everyMs / 4000) * 1000, 3_600_000)
      : flags.randomDelay === '0'
        ? 0
        : parseDuration(flags.randomDelay, '--random-delay', { allowZero: true });
  if (randomDelayMs > everyMs)
    throw new UsageError(
      `--random-delay ${String(flags.randomDelay)} is longer than --every ${flags.every ?? '1h'}`,
      {
        hint: 'a delay longer than the interval skips runs; use at most the interval',
      },
    );
  const tokenFile = flags.tokenFile ?? DEFAULT_TOKEN_FILE;
  if (!tokenFile.startsWith('/'))
    throw new UsageError(`--token-file ${tokenFile} is not an absolute path`, {
      hint: 'the service reads it from its own working directory: name it from /',
    });
  const labels = (flags.labels ?? []).map((l) => parseKubeLabel(l, '--label'));
  // the server's own label rules too, so the agent is not refused at enrolment
  const fleet = labelsSchema.safeParse(Object.fromEntries(labels));
  if (!fleet.success)
    throw new UsageError(`--label: ${fleet.error.issues[0]?.message ?? 'invalid labels'}`, {
      hint: 'the fleet server takes at most 32 labels, keys of at most 63 characters',
    });
  return {
    server,
    tokenFile,
    everyMs,
    randomDelayMs,
    labels,
    command: flags.command,
    image: checkImage(flags.image ?? DEFAULT_IMAGE),
    namespace: checkDnsLabel(flags.namespace ?? 'bulkhead-agent', '--namespace'),
    nodeSelector: parseKubeLabel(flags.nodeSelector ?? 'bulkhead.dev/dockerd=true', '--node-selector'),
  };
}

/**
 * The OnCalendar= expression that fires every `ms` at fixed wall-clock points (so Persistent= can catch up a run
 * missed while the host was off), when the interval divides a minute, an hour or a day; undefined otherwise.
 */
export function calendarFor(ms: number): string | undefined {
  if (ms % 1000 !== 0) return undefined;
  const s = ms / 1000;
  if (s < 60) return 60 % s === 0 ? `*-*-* *:*:00/${s}` : undefined;
  if (s === 60) return '*-*-* *:*:00';
  if (s < 3600) return s % 60 === 0 && 3600 % s === 0 ? `*-*-* *:00/${s / 60}:00` : undefined;
  if (s === 3600) return '*-*-* *:00:00';
  if (s < 86_400) return s % 3600 === 0 && 86_400 % s === 0 ? `*-*-* 00/${s / 3600}:00:00` : undefined;
  if (s === 86_400) return '*-*-* 00:00:00';
  if (s === 7 * 86_400) return 'Mon *-*-* 00:00:00';
  return undefined;
}

function agentArgs(plan: AgentInstallPlan): string[] {
  return [
    '--server',
    plan.server,
    '--token-file',
    plan.tokenFile,
    '--state',
    AGENT_STATE_DIR,
    ...plan.labels.flatMap(([k, v]) => ['--label', `${k}=${v}`]),
  ];
}

export function agentService(plan: AgentInstallPlan): string {
  const homeNeeded = plan.command.some(underHome);
  return renderUnit([
    [
      'Unit',
      [
        [
          'Description',
          textValue(`bulkhead agent: audit this host and push a signed report to ${plan.server}`),
        ],
        ['After', 'docker.service network-online.target'],
        ['Wants', 'network-online.target'],
      ],
    ],
    [
      'Service',
      [
        ['Type', 'oneshot'],
        // the token is read from a file (used once, at enrolment): never on the command line, where ps shows it
        ['ExecStart', execLine([...plan.command, 'agent', '--once', ...agentArgs(plan)])],
        ['StateDirectory', 'bulkhead/agent'],
        ['StateDirectoryMode', '0700'],
        ['UMask', '0077'],
        ['TimeoutStartSec', timeSpan(Math.min(plan.everyMs, 3_600_000))],
        ['Nice', '10'],
        ['IOSchedulingClass', 'idle'],
        // root, because dockerd's socket is root:docker 0660 and /var/lib/docker is 0710 root; what root may do is
        // cut down to reading: no capability but DAC_READ_SEARCH, a read-only file system but the state directory
        ['CapabilityBoundingSet', 'CAP_DAC_READ_SEARCH'],
        // not ProtectKernelModules= (it hides /lib/modules, which the kernel checks read) nor ProtectProc= (it
        // hides dockerd's /proc entry, whose command line the daemon checks read)
        ...serviceSandbox(homeNeeded),
      ],
    ],
  ]);
}

export function agentTimer(plan: AgentInstallPlan): string {
  const calendar = calendarFor(plan.everyMs);
  const schedule: UnitLine[] =
    calendar === undefined
      ? [
          // an interval that no calendar expression can hold: monotonic, first run a few minutes after boot
          ['OnBootSec', '5min'],
          ['OnUnitActiveSec', timeSpan(plan.everyMs)],
        ]
      : [
          ['OnCalendar', calendar],
          // a run missed while the host was off starts at boot
          ['Persistent', 'true'],
        ];
  return renderUnit([
    ['Unit', [['Description', `bulkhead agent every ${timeSpan(plan.everyMs)}`]]],
    [
      'Timer',
      [
        ...schedule,
        ['RandomizedDelaySec', plan.randomDelayMs === 0 ? '0' : timeSpan(plan.randomDelayMs)],
        // the same offset on every run of this host (hashed from the machine id): evenly spread, stable intervals
        ['FixedRandomDelay', 'true'],
        ['AccuracySec', '1s'],
        ['Unit', 'bulkhead-agent.service'],
      ],
    ],
    ['Install', [['WantedBy', 'timers.target']]],
  ]);
}

export function agentSystemd(plan: AgentInstallPlan): InstallResult {
  return {
    files: [
      { name: 'bulkhead-agent.service', text: agentService(plan) },
      { name: 'bulkhead-agent.timer', text: agentTimer(plan) },
    ],
    next: [
      `put a token from \`bulkhead server token create\` (--uses N to enrol N hosts with it) in ${plan.tokenFile} (mode 0600, root)`,
      'systemctl daemon-reload && systemctl enable --now bulkhead-agent.timer',
    ],
  };
}

export function agentManifests(plan: AgentInstallPlan): KubeObject[] {
  const labels = { ...PART_OF, 'app.kubernetes.io/name': 'bulkhead-agent' };
  const [nodeKey, nodeValue] = plan.nodeSelector;
  const args = [
    'agent',
    '--every',
    agentDuration(plan.everyMs),
    '--server',
    plan.server,
    // one token with a use per node (`server token create --uses N`), shared by every pod through one Secret key
    '--token-file',
    `${POD_TOKEN_DIR}/${ENROL_SECRET_KEY}`,
    '--state',
    AGENT_STATE_DIR,
    '--root',
    '/host',
    '--host',
    'unix:///var/run/docker.sock',
    // the pod's hostname is the pod name: report the node's
    '--name',
    '$(NODE_NAME)',
    ...plan.labels.flatMap(([k, v]) => ['--label', `${k}=${v}`]),
  ];
  return [
    {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: {
        name: plan.namespace,
        labels: {
          ...PART_OF,
          // hostPath volumes are outside the baseline and restricted profiles: this namespace holds only the agent
          'pod-security.kubernetes.io/enforce': 'privileged',
        },
      },
    } satisfies INamespace,
    {
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: { name: 'bulkhead-agent', namespace: plan.namespace, labels },
      // the agent never talks to the Kubernetes API
      automountServiceAccountToken: false,
    } satisfies IServiceAccount,
    {
      apiVersion: 'apps/v1',
      kind: 'DaemonSet',
      metadata: { name: 'bulkhead-agent', namespace: plan.namespace, labels },
      spec: {
        selector: { matchLabels: labels },
        updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1 } },
        template: {
          metadata: { labels },
          spec: {
            serviceAccountName: 'bulkhead-agent',
            automountServiceAccountToken: false,
            // only nodes labelled as running dockerd (kubectl label node NAME key=value)
            nodeSelector: { [nodeKey]: nodeValue, 'kubernetes.io/os': 'linux' },
            hostPID: false,
            hostNetwork: false,
            hostIPC: false,
            enableServiceLinks: false,
            securityContext: {
              // root for dockerd's socket (root:docker 0660) and /var/lib/docker (0710 root); no capability
              // but reading past file modes
              runAsUser: 0,
              runAsGroup: 0,
              runAsNonRoot: false,
              seccompProfile: { type: 'RuntimeDefault' },
            },
            terminationGracePeriodSeconds: 30,
            containers: [
              {
                name: 'agent',
                image: plan.image,
                imagePullPolicy: 'IfNotPresent',
                command: ['bulkhead'],
                args,
                env: [{ name: 'NODE_NAME', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } }],
                resources: {
                  requests: { cpu: '50m', memory: '128Mi' },
                  limits: { cpu: '500m', memory: '1Gi' },
                },
                securityContext: {
                  ...LOCKED_DOWN,
                  capabilities: { drop: ['ALL'], add: ['DAC_READ_SEARCH'] },
                },
                volumeMounts: [
                  {
                    name: 'host',
                    mountPath: '/host',
                    readOnly: true,
                    // submounts of / (/run, /var/lib/...) read-only too where the kubelet supports it (1.30+)
                    recursiveReadOnly: 'IfPossible',
                    mountPropagation: 'None',
                  },
                  { name: 'docker-sock', mountPath: '/var/run/docker.sock' },
                  { name: 'state', mountPath: AGENT_STATE_DIR },
                  { name: 'enrol-token', mountPath: POD_TOKEN_DIR, readOnly: true },
                  { name: 'tmp', mountPath: '/tmp' },
                ],
              },
            ],
            volumes: [
              { name: 'host', hostPath: { path: '/', type: 'Directory' } },
              { name: 'docker-sock', hostPath: { path: '/var/run/docker.sock', type: 'Socket' } },
              // the key and enrolment survive pod restarts: the host keeps its identity on the server
              { name: 'state', hostPath: { path: AGENT_STATE_DIR, type: 'DirectoryOrCreate' } },
              {
                name: 'enrol-token',
                // optional: once enrolled the agent needs it no more, and the Secret may be deleted
                secret: {
                  secretName: ENROL_SECRET,
                  optional: true,
                  defaultMode: 0o400,
                  items: [{ key: ENROL_SECRET_KEY, path: ENROL_SECRET_KEY }],
                },
              },
              { name: 'tmp', emptyDir: { medium: 'Memory', sizeLimit: '64Mi' } },
            ],
          },
        },
      },
    } satisfies IDaemonSet,
  ];
}

export function agentKubernetes(plan: AgentInstallPlan): InstallResult {
  const create =
    'bulkhead server token create --uses NODES --expires 24h > TOKENFILE   # NODES: how many nodes carry the label';
  const secret = `kubectl -n ${plan.namespace} create secret generic ${ENROL_SECRET} --from-file=${ENROL_SECRET_KEY}=TOKENFILE`;
  const label = `kubectl label node NODE ${plan.nodeSelector[0]}=${plan.nodeSelector[1]}`;
  return {
    files: [
      {
        name: 'bulkhead-agent.yaml',
        text: renderManifests(agentManifests(plan), [
          `bulkhead agent ${TOOL_VERSION} as a DaemonSet on the nodes labelled so:`,
          `  ${label}`,
          `Every node enrols with the one token in the Secret ${ENROL_SECRET}, key ${ENROL_SECRET_KEY}; give it a use per node`,
          '(a node added later needs a use left, or a new token in the Secret; an enrolled node needs it no more):',
          `  ${create}`,
          `  ${secret}`,
        ]),
      },
    ],
    next: [label, create, secret, 'kubectl apply -f bulkhead-agent.yaml'],
  };
}
