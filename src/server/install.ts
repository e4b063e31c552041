// `bulkhead server install`: the fleet server as a hardened systemd service (DynamicUser=, StateDirectory=,
// systemd.exec(5) sandboxing) with a daily `db update` timer, or as Kubernetes objects: a Deployment with probes on
// /api/v1/health/{live,ready}, its Service, a PersistentVolumeClaim (SQLite and the vulnerability database) or a
// DATABASE_URL Secret for PostgreSQL, and a CronJob running `db update` (concurrencyPolicy Forbid). The server
// notices the replaced vulnerability database within a minute and rematches every stored inventory.
import { UsageError } from '../shared/errors.js';
import {
  checkDnsLabel,
  checkImage,
  checkQuantity,
  DEFAULT_IMAGE,
  LOCKED_DOWN,
  PART_OF,
  renderManifests,
  type KubeObject,
} from '../shared/kube-manifest.js';
import {
  execLine,
  hasControl,
  quoteWord,
  renderUnit,
  serviceSandbox,
  textValue,
  underHome,
  type InstallArtefact,
  type InstallResult,
  type UnitLine,
} from '../shared/systemd-unit.js';
import { TOOL_VERSION } from '../shared/version.js';
// types only (erased from the build): every object is checked against the Kubernetes API types at compile time
import type { IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import type { ICronJob } from 'kubernetes-models/batch/v1/CronJob';
import type { INamespace } from 'kubernetes-models/v1/Namespace';
import type { IPersistentVolumeClaim } from 'kubernetes-models/v1/PersistentVolumeClaim';
import type { IService } from 'kubernetes-models/v1/Service';
import type { IServiceAccount } from 'kubernetes-models/v1/ServiceAccount';
import { parseListen } from './serve.js';

export type InstallFormat = 'systemd' | 'kubernetes';

export interface ServerInstallFlags {
  readonly format: InstallFormat;
  readonly listen?: string | undefined;
  readonly database?: string | undefined;
  readonly data?: string | undefined;
  /** systemd: the argv that starts bulkhead (src/shared/self-binary.ts). */
  readonly command: readonly string[];
  readonly envFile?: string | undefined;
  /** kubernetes */
  readonly image?: string | undefined;
  readonly namespace?: string | undefined;
  readonly storage?: string | undefined;
  readonly updateSchedule?: string | undefined;
}

export interface ServerInstallPlan {
  readonly listen: { readonly host: string; readonly port: number; readonly text: string };
  /** The PostgreSQL URL, when the store is PostgreSQL (never printed into a unit or a manifest). */
  readonly database: string | undefined;
  /** systemd: the SQLite directory (under /var/lib, the service's StateDirectory=). */
  readonly data: string;
  readonly command: readonly string[];
  readonly envFile: string;
  readonly image: string;
  readonly namespace: string;
  readonly storage: string;
  readonly updateSchedule: string;
}

const STATE = '/var/lib/bulkhead-server';
const POD_STATE = '/var/lib/bulkhead';
export const DEFAULT_ENV_FILE = '/etc/bulkhead/server.env';
/** The Secret (key `url`) the Deployment reads BULKHEAD_DATABASE_URL from. */
export const DATABASE_SECRET = 'bulkhead-database';

/** A postgres:// URL; its password is never echoed. */
function checkDatabaseUrl(raw: string): string {
  const shown = raw.replace(/:[^:@/]*@/, ':***@');
  let url: URL | undefined;
  try {
    url = new URL(raw);
  } catch {
    url = undefined;
  }
  if (url === undefined || (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:'))
    throw new UsageError(`--database ${shown} is not a postgres:// URL`, {
      hint: 'e.g. --database postgres://bulkhead@db.example/bulkhead',
    });
  // single-quoted in the environment file, where nothing is escaped
  if (raw.includes("'") || hasControl(raw))
    throw new UsageError(`--database ${shown} contains a quote or a control character`, {
      hint: "percent-encode it (' is %27)",
    });
  return raw;
}

/** Five cron fields (minute hour day month weekday) or a @macro, as the CronJob controller parses them. */
function checkSchedule(raw: string): string {
  const field =
    /^(\*|[0-9A-Za-z]+(-[0-9A-Za-z]+)?)(\/[0-9]+)?(,(\*|[0-9A-Za-z]+(-[0-9A-Za-z]+)?)(\/[0-9]+)?)*$/;
  const macros = ['@yearly', '@annually', '@monthly', '@weekly', '@daily', '@midnight', '@hourly'];
  const fields = raw.trim().split(/\s+/);
  if (!(macros.includes(raw.trim()) || (fields.length === 5 && fields.every((f) => field.test(f)))))
    throw new UsageError(`--update-schedule ${JSON.stringify(raw)} is not a cron schedule`, {
      hint: 'five fields, minute hour day month weekday: e.g. --update-schedule "17 3 * * *", or @daily',
    });
  return raw.trim();
}

export function planServerInstall(flags: ServerInstallFlags): ServerInstallPlan {
  const kube = flags.format === 'kubernetes';
  const listenText = flags.listen ?? (kube ? '0.0.0.0:8080' : '127.0.0.1:8080');
  const listen = { ...parseListen(listenText), text: listenText };
  if (kube && listen.host !== '0.0.0.0' && listen.host !== '::')
    throw new UsageError(`--listen ${listenText}: in a pod the server must listen on every address`, {
      hint: `the Service and the kubelet's probes reach the pod's IP: --listen 0.0.0.0:${listen.port}`,
    });
  if (flags.database !== undefined && flags.data !== undefined)
    throw new UsageError('--data and --database are exclusive', {
      hint: 'SQLite under --data DIR, or PostgreSQL with --database URL',
    });
  if (kube && flags.data !== undefined)
    throw new UsageError('--data is for --format systemd', {
      hint: 'on Kubernetes SQLite lives on the PersistentVolumeClaim (size: --storage)',
    });
  const data = flags.data ?? STATE;
  // DynamicUser= can write only the directories systemd makes for it: StateDirectory= is under /var/lib
  if (!kube && !/^\/var\/lib\/[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*$/.test(data))
    throw new UsageError(`--data ${data} is not a directory under /var/lib`, {
      hint: 'the service runs as a dynamic user whose only writable directory is its StateDirectory= under /var/lib, e.g. --data /var/lib/bulkhead-server',
    });
  const envFile = flags.envFile ?? DEFAULT_ENV_FILE;
  if (!envFile.startsWith('/'))
    throw new UsageError(`--database-env-file ${envFile} is not an absolute path`, {
      hint: 'e.g. --database-env-file /etc/bulkhead/server.env',
    });
  return {
    listen,
    database: flags.database === undefined ? undefined : checkDatabaseUrl(flags.database),
    data,
    command: flags.command,
    envFile,
    image: checkImage(flags.image ?? DEFAULT_IMAGE),
    namespace: checkDnsLabel(flags.namespace ?? 'bulkhead', '--namespace'),
    storage: checkQuantity(flags.storage ?? '10Gi', '--storage'),
    updateSchedule: checkSchedule(flags.updateSchedule ?? '17 3 * * *'),
  };
}

/** Sandboxing shared by the server and its `db update` job: a dynamic user that may write its state only. */
function sandbox(plan: ServerInstallPlan, lowPort: boolean): UnitLine[] {
  return [
    ['DynamicUser', 'yes'],
    // one name for both units: they share the user and so the state directory
    ['User', 'bulkhead'],
    ['StateDirectory', quoteWord(plan.data.slice('/var/lib/'.length))],
    ['StateDirectoryMode', '0750'],
    ['UMask', '0027'],
    ['CapabilityBoundingSet', lowPort ? 'CAP_NET_BIND_SERVICE' : ''],
    ['AmbientCapabilities', lowPort ? 'CAP_NET_BIND_SERVICE' : undefined],
    ...serviceSandbox(plan.command.some(underHome)),
    // beyond the agent's: no user namespace mapping to the host's (unless a port below 1024 needs a capability),
    // no module loading or /lib/modules, and no other process visible in /proc
    ['PrivateUsers', lowPort ? undefined : 'yes'],
    ['ProtectKernelModules', 'yes'],
    ['ProtectProc', 'invisible'],
  ];
}

export function serverService(plan: ServerInstallPlan): string {
  const args = [...plan.command, 'server', '--listen', plan.listen.text];
  if (plan.database === undefined) args.push('--data', plan.data);
  args.push('--db', `${plan.data}/vulndb.sqlite`);
  return renderUnit([
    [
      'Unit',
      [
        [
          'Description',
          textValue(
            `bulkhead fleet server on ${plan.listen.text} (${plan.database === undefined ? 'SQLite' : 'PostgreSQL'})`,
          ),
        ],
        ['After', 'network-online.target'],
        ['Wants', 'network-online.target'],
      ],
    ],
    [
      'Service',
      [
        ['Type', 'simple'],
        // the PostgreSQL URL (it may hold a password) comes from a root-only file, not the world-readable unit
        ['EnvironmentFile', plan.database === undefined ? undefined : quoteWord(plan.envFile)],
        ['ExecStart', execLine(args)],
        ['Restart', 'on-failure'],
        ['RestartSec', '2'],
        ['TimeoutStopSec', '30'],
        ...sandbox(plan, plan.listen.port < 1024),
      ],
    ],
    ['Install', [['WantedBy', 'multi-user.target']]],
  ]);
}

export function dbUpdateService(plan: ServerInstallPlan): string {
  return renderUnit([
    [
      'Unit',
      [
        ['Description', 'bulkhead vulnerability database update (the server rematches after it)'],
        ['After', 'network-online.target'],
        ['Wants', 'network-online.target'],
      ],
    ],
    [
      'Service',
      [
        ['Type', 'oneshot'],
        ['ExecStart', execLine([...plan.command, 'db', 'update', '--db', `${plan.data}/vulndb.sqlite`])],
        ['TimeoutStartSec', '1h'],
        ['Nice', '10'],
        ['IOSchedulingClass', 'idle'],
        ...sandbox(plan, false),
      ],
    ],
  ]);
}

export function dbUpdateTimer(): string {
  return renderUnit([
    ['Unit', [['Description', 'bulkhead vulnerability database update, daily']]],
    [
      'Timer',
      [
        ['OnCalendar', '*-*-* 03:00:00'],
        ['RandomizedDelaySec', '1h'],
        ['Persistent', 'true'],
        ['Unit', 'bulkhead-server-db-update.service'],
      ],
    ],
    ['Install', [['WantedBy', 'timers.target']]],
  ]);
}

export function serverSystemd(plan: ServerInstallPlan): InstallResult {
  const files: InstallArtefact[] = [
    { name: 'bulkhead-server.service', text: serverService(plan) },
    { name: 'bulkhead-server-db-update.service', text: dbUpdateService(plan) },
    { name: 'bulkhead-server-db-update.timer', text: dbUpdateTimer() },
  ];
  if (plan.database !== undefined)
    files.push({
      name: plan.envFile.slice(plan.envFile.lastIndexOf('/') + 1),
      path: plan.envFile,
      mode: 0o600,
      // single quotes: systemd reads the value as written, no escapes, no $ expansion
      text: `BULKHEAD_DATABASE_URL='${plan.database}'\n`,
    });
  return {
    files,
    next: [
      'systemctl daemon-reload',
      'systemctl start bulkhead-server-db-update.service (the first vulnerability database)',
      'systemctl enable --now bulkhead-server.service bulkhead-server-db-update.timer',
    ],
  };
}

const SERVER_LABELS = { ...PART_OF, 'app.kubernetes.io/name': 'bulkhead-server' };
const POD_SECURITY = {
  runAsNonRoot: true,
  runAsUser: 65532,
  runAsGroup: 65532,
  fsGroup: 65532,
  fsGroupChangePolicy: 'OnRootMismatch',
  seccompProfile: { type: 'RuntimeDefault' },
} as const;
const CONTAINER_SECURITY = { ...LOCKED_DOWN, runAsNonRoot: true, capabilities: { drop: ['ALL'] } };

export function serverManifests(plan: ServerInstallPlan): KubeObject[] {
  const ns = plan.namespace;
  const postgres = plan.database !== undefined;
  const args = ['server', '--listen', plan.listen.text];
  if (!postgres) args.push('--data', `${POD_STATE}/server`);
  args.push('--db', `${POD_STATE}/vulndb.sqlite`);
  const volumes = [
    { name: 'data', persistentVolumeClaim: { claimName: 'bulkhead-server' } },
    { name: 'tmp', emptyDir: { sizeLimit: '1Gi' } },
  ];
  const mounts = [
    { name: 'data', mountPath: POD_STATE },
    { name: 'tmp', mountPath: '/tmp' },
  ];
  const env = [
    { name: 'HOME', value: '/tmp' },
    ...(postgres
      ? [
          {
            name: 'BULKHEAD_DATABASE_URL',
            valueFrom: { secretKeyRef: { name: DATABASE_SECRET, key: 'url' } },
          },
        ]
      : []),
  ];
  // what the server's pod and the CronJob's pod share: the account, the sandbox, the image and the volume
  const pod = {
    serviceAccountName: 'bulkhead-server',
    automountServiceAccountToken: false,
    enableServiceLinks: false,
    securityContext: POD_SECURITY,
    volumes,
  };
  const container = {
    image: plan.image,
    imagePullPolicy: 'IfNotPresent' as const,
    command: ['bulkhead'],
    securityContext: CONTAINER_SECURITY,
    volumeMounts: mounts,
  };
  return [
    {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: {
        name: ns,
        labels: { ...PART_OF, 'pod-security.kubernetes.io/enforce': 'restricted' },
      },
    } satisfies INamespace,
    {
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: { name: 'bulkhead-server', namespace: ns, labels: SERVER_LABELS },
      automountServiceAccountToken: false,
    } satisfies IServiceAccount,
    {
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: { name: 'bulkhead-server', namespace: ns, labels: SERVER_LABELS },
      spec: {
        // one node at a time: the CronJob is scheduled next to the server pod to share it
        accessModes: ['ReadWriteOnce'],
        resources: { requests: { storage: plan.storage } },
      },
    } satisfies IPersistentVolumeClaim,
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'bulkhead-server', namespace: ns, labels: SERVER_LABELS },
      spec: {
        replicas: 1,
        // a ReadWriteOnce volume (and SQLite's single writer): the old pod stops before the new one starts
        strategy: { type: 'Recreate' },
        selector: { matchLabels: SERVER_LABELS },
        template: {
          metadata: { labels: SERVER_LABELS },
          spec: {
            ...pod,
            containers: [
              {
                name: 'server',
                ...container,
                args,
                env,
                ports: [{ name: 'http', containerPort: plan.listen.port, protocol: 'TCP' }],
                // migrations run before the port opens: give the first start time
                startupProbe: {
                  httpGet: { path: '/api/v1/health/live', port: 'http' },
                  periodSeconds: 2,
                  failureThreshold: 60,
                },
                livenessProbe: {
                  httpGet: { path: '/api/v1/health/live', port: 'http' },
                  periodSeconds: 10,
                  timeoutSeconds: 3,
                  failureThreshold: 3,
                },
                // ready only while the store answers: a replica cut off from PostgreSQL leaves the Service
                readinessProbe: {
                  httpGet: { path: '/api/v1/health/ready', port: 'http' },
                  periodSeconds: 10,
                  timeoutSeconds: 3,
                  failureThreshold: 2,
                },
                resources: {
                  requests: { cpu: '100m', memory: '256Mi' },
                  limits: { cpu: '2', memory: '2Gi' },
                },
              },
            ],
          },
        },
      },
    } satisfies IDeployment,
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'bulkhead-server', namespace: ns, labels: SERVER_LABELS },
      spec: {
        type: 'ClusterIP',
        selector: SERVER_LABELS,
        ports: [{ name: 'http', port: plan.listen.port, targetPort: 'http', protocol: 'TCP' }],
      },
    } satisfies IService,
    {
      apiVersion: 'batch/v1',
      kind: 'CronJob',
      metadata: { name: 'bulkhead-db-update', namespace: ns, labels: SERVER_LABELS },
      spec: {
        schedule: plan.updateSchedule,
        // never two downloads at once: a slow feed must not pile up jobs on the shared volume
        concurrencyPolicy: 'Forbid',
        startingDeadlineSeconds: 3600,
        successfulJobsHistoryLimit: 3,
        failedJobsHistoryLimit: 3,
        jobTemplate: {
          spec: {
            backoffLimit: 2,
            activeDeadlineSeconds: 3600,
            ttlSecondsAfterFinished: 86_400,
            template: {
              metadata: { labels: { ...PART_OF, 'app.kubernetes.io/name': 'bulkhead-db-update' } },
              spec: {
                ...pod,
                restartPolicy: 'OnFailure',
                // the ReadWriteOnce volume is attached to the server's node: run there
                affinity: {
                  podAffinity: {
                    requiredDuringSchedulingIgnoredDuringExecution: [
                      {
                        labelSelector: { matchLabels: SERVER_LABELS },
                        topologyKey: 'kubernetes.io/hostname',
                      },
                    ],
                  },
                },
                containers: [
                  {
                    name: 'db-update',
                    ...container,
                    args: ['db', 'update', '--db', `${POD_STATE}/vulndb.sqlite`],
                    env: [{ name: 'HOME', value: '/tmp' }],
                    resources: {
                      requests: { cpu: '100m', memory: '256Mi' },
                      limits: { cpu: '1', memory: '2Gi' },
                    },
                  },
                ],
              },
            },
          },
        },
      },
    } satisfies ICronJob,
  ];
}

export function serverKubernetes(plan: ServerInstallPlan): InstallResult {
  const secret =
    plan.database === undefined
      ? undefined
      : `kubectl -n ${plan.namespace} create secret generic ${DATABASE_SECRET} --from-literal=url='${plan.database.replace(/:[^:@/]*@/, ':***@')}'`;
  const comment = [`bulkhead server ${TOOL_VERSION}: Deployment, Service, PVC and the db update CronJob.`];
  if (secret !== undefined)
    comment.push(
      'PostgreSQL: the URL is read from a Secret made apart (put the real password in):',
      `  ${secret}`,
    );
  return {
    files: [{ name: 'bulkhead-server.yaml', text: renderManifests(serverManifests(plan), comment) }],
    next: [
      ...(secret === undefined ? [] : [secret]),
      'kubectl apply -f bulkhead-server.yaml',
      `kubectl -n ${plan.namespace} create job --from=cronjob/bulkhead-db-update bulkhead-db-first (the first vulnerability database)`,
    ],
  };
}
