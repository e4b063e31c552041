// The Docker Engine API route table (API v1.41, dockerd 20.10), in the order moby registers its routers
// (api/server/router/*/ *.go, daemon/cmd "initRouter"), each route mapped to a named action and the resource it
// targets. Patterns follow gorilla/mux: `{name:.*}` may span slashes, `{id}` may not; the first match wins, as in mux.

export type ActionCategory = 'read' | 'write' | 'exec' | 'admin';

export type ResourceKind =
  | 'container'
  | 'exec'
  | 'image'
  | 'volume'
  | 'network'
  | 'plugin'
  | 'service'
  | 'node'
  | 'task'
  | 'secret'
  | 'config'
  | 'none';

export interface ActionInfo {
  readonly name: string;
  readonly category: ActionCategory;
  readonly resource: ResourceKind;
  readonly description: string;
}

export interface Route {
  readonly method: string;
  /** mux path template, e.g. "/containers/{name:.*}/logs". */
  readonly path: string;
  readonly action: string;
  /** Where the resource comes from: the path variable, a query parameter, or the body (volume create). */
  readonly resourceFrom: 'path' | `query:${string}` | 'body' | 'none';
  readonly regex: RegExp;
}

const A = (
  name: string,
  category: ActionCategory,
  resource: ResourceKind,
  description: string,
): ActionInfo => ({ name, category, resource, description });

/** Every action bulkhead names, with its category (@read-only = category read) and resource kind. */
export const ACTIONS: readonly ActionInfo[] = [
  A('api_options', 'read', 'none', 'OPTIONS preflight on any path'),
  A('system_ping', 'read', 'none', 'GET/HEAD /_ping'),
  A('system_info', 'read', 'none', 'docker info'),
  A('system_version', 'read', 'none', 'docker version'),
  A('system_events', 'read', 'none', 'docker events'),
  A('system_df', 'read', 'none', 'docker system df'),
  A('system_auth', 'write', 'none', 'docker login (checks credentials against a registry)'),
  A('container_list', 'read', 'none', 'docker ps'),
  A('container_inspect', 'read', 'container', 'docker inspect CONTAINER'),
  A('container_logs', 'read', 'container', 'docker logs'),
  A('container_top', 'read', 'container', 'docker top'),
  A('container_stats', 'read', 'container', 'docker stats'),
  A('container_changes', 'read', 'container', 'docker diff'),
  A('container_export', 'read', 'container', 'docker export (the whole filesystem)'),
  A('container_archive_info', 'read', 'container', 'HEAD archive: stat a path in a container'),
  A('container_archive_get', 'read', 'container', 'docker cp CONTAINER:PATH (copy out)'),
  A('container_copy', 'read', 'container', 'deprecated POST copy (API < 1.24)'),
  A('container_wait', 'read', 'container', 'docker wait'),
  A('container_create', 'write', 'container', 'docker create / run (body rules apply)'),
  A('container_start', 'write', 'container', 'docker start'),
  A('container_stop', 'write', 'container', 'docker stop'),
  A('container_restart', 'write', 'container', 'docker restart'),
  A('container_kill', 'write', 'container', 'docker kill'),
  A('container_pause', 'write', 'container', 'docker pause'),
  A('container_unpause', 'write', 'container', 'docker unpause'),
  A('container_resize', 'write', 'container', 'resize the TTY'),
  A('container_rename', 'write', 'container', 'docker rename'),
  A('container_update', 'write', 'container', 'docker update'),
  A('container_delete', 'write', 'container', 'docker rm'),
  A('container_prune', 'write', 'none', 'docker container prune'),
  A('container_archive_put', 'write', 'container', 'docker cp PATH CONTAINER:PATH (copy in)'),
  A('container_commit', 'write', 'container', 'docker commit'),
  A('container_attach', 'exec', 'container', 'docker attach (stdin/stdout of the main process)'),
  A('container_attach_ws', 'exec', 'container', 'attach over websocket'),
  A('exec_create', 'exec', 'container', 'docker exec, step 1 (body rules apply)'),
  A('exec_start', 'exec', 'exec', 'docker exec, step 2 (the exec id resolves to its container)'),
  A('exec_resize', 'write', 'exec', 'resize an exec TTY'),
  A('exec_inspect', 'read', 'exec', 'inspect an exec instance'),
  A('checkpoint_list', 'read', 'container', 'docker checkpoint ls (experimental)'),
  A('checkpoint_create', 'write', 'container', 'docker checkpoint create (experimental)'),
  A('checkpoint_delete', 'write', 'container', 'docker checkpoint rm (experimental)'),
  A('image_list', 'read', 'none', 'docker images'),
  A('image_search', 'read', 'none', 'docker search (queries a registry)'),
  A('image_inspect', 'read', 'image', 'docker image inspect'),
  A('image_history', 'read', 'image', 'docker history'),
  A('image_save', 'read', 'image', 'docker save'),
  A('image_pull', 'write', 'image', 'docker pull (registry allow-list applies)'),
  A('image_import', 'write', 'image', 'docker import (POST /images/create?fromSrc=)'),
  A('image_load', 'write', 'none', 'docker load (tarball, contents invisible to plugins)'),
  A('image_push', 'write', 'image', 'docker push'),
  A('image_tag', 'write', 'image', 'docker tag (resources: source and target)'),
  A('image_delete', 'write', 'image', 'docker rmi'),
  A('image_prune', 'write', 'none', 'docker image prune'),
  A('image_build', 'write', 'image', 'docker build (the Dockerfile is invisible to plugins)'),
  A('build_prune', 'write', 'none', 'docker builder prune'),
  A('build_cancel', 'write', 'none', 'cancel a build'),
  A('build_session', 'write', 'none', 'BuildKit session (hijacked, POST /session)'),
  A('build_grpc', 'write', 'none', 'BuildKit gRPC (hijacked, POST /grpc)'),
  A('distribution_inspect', 'read', 'image', 'registry manifest lookup'),
  A('volume_list', 'read', 'none', 'docker volume ls'),
  A('volume_inspect', 'read', 'volume', 'docker volume inspect'),
  A('volume_create', 'write', 'volume', 'docker volume create (driver options checked)'),
  A('volume_delete', 'write', 'volume', 'docker volume rm'),
  A('volume_prune', 'write', 'none', 'docker volume prune'),
  A('network_list', 'read', 'none', 'docker network ls'),
  A('network_inspect', 'read', 'network', 'docker network inspect'),
  A('network_create', 'admin', 'network', 'docker network create'),
  A('network_connect', 'write', 'network', 'docker network connect'),
  A('network_disconnect', 'write', 'network', 'docker network disconnect'),
  A('network_delete', 'write', 'network', 'docker network rm'),
  A('network_prune', 'write', 'none', 'docker network prune'),
  A('plugin_list', 'read', 'none', 'docker plugin ls'),
  A('plugin_inspect', 'read', 'plugin', 'docker plugin inspect'),
  A('plugin_privileges', 'read', 'none', 'privileges a plugin asks for'),
  A('plugin_install', 'admin', 'plugin', 'docker plugin install (plugins run with host privileges)'),
  A('plugin_create', 'admin', 'plugin', 'docker plugin create'),
  A('plugin_enable', 'admin', 'plugin', 'docker plugin enable'),
  A('plugin_disable', 'admin', 'plugin', 'docker plugin disable'),
  A('plugin_push', 'admin', 'plugin', 'docker plugin push'),
  A('plugin_upgrade', 'admin', 'plugin', 'docker plugin upgrade'),
  A('plugin_set', 'admin', 'plugin', 'docker plugin set'),
  A('plugin_delete', 'admin', 'plugin', 'docker plugin rm'),
  A('swarm_inspect', 'read', 'none', 'docker swarm inspect'),
  A('swarm_unlockkey', 'admin', 'none', 'docker swarm unlock-key (secret material)'),
  A('swarm_init', 'admin', 'none', 'docker swarm init'),
  A('swarm_join', 'admin', 'none', 'docker swarm join'),
  A('swarm_leave', 'admin', 'none', 'docker swarm leave'),
  A('swarm_update', 'admin', 'none', 'docker swarm update'),
  A('swarm_unlock', 'admin', 'none', 'docker swarm unlock'),
  A('service_list', 'read', 'none', 'docker service ls'),
  A('service_inspect', 'read', 'service', 'docker service inspect'),
  A('service_logs', 'read', 'service', 'docker service logs'),
  A('service_create', 'admin', 'service', 'docker service create (body rules cannot be checked)'),
  A('service_update', 'admin', 'service', 'docker service update (body rules cannot be checked)'),
  A('service_delete', 'write', 'service', 'docker service rm'),
  A('node_list', 'read', 'none', 'docker node ls'),
  A('node_inspect', 'read', 'node', 'docker node inspect'),
  A('node_update', 'admin', 'node', 'docker node update'),
  A('node_delete', 'admin', 'node', 'docker node rm'),
  A('task_list', 'read', 'none', 'docker service ps'),
  A('task_inspect', 'read', 'task', 'inspect a task'),
  A('task_logs', 'read', 'task', 'task logs'),
  A('secret_list', 'read', 'none', 'docker secret ls'),
  A('secret_inspect', 'read', 'secret', 'docker secret inspect (metadata only)'),
  A('secret_create', 'admin', 'secret', 'docker secret create'),
  A('secret_update', 'admin', 'secret', 'update a secret'),
  A('secret_delete', 'admin', 'secret', 'docker secret rm'),
  A('config_list', 'read', 'none', 'docker config ls'),
  A('config_inspect', 'read', 'config', 'docker config inspect'),
  A('config_create', 'admin', 'config', 'docker config create'),
  A('config_update', 'admin', 'config', 'update a config'),
  A('config_delete', 'admin', 'config', 'docker config rm'),
];

export const ACTION_BY_NAME: ReadonlyMap<string, ActionInfo> = new Map(ACTIONS.map((a) => [a.name, a]));

type RouteSpec = readonly [
  method: string,
  path: string,
  action: string,
  resourceFrom?: Route['resourceFrom'],
];

// Router order: container, image, system, volume, build, session, swarm, plugin, distribution, checkpoint, grpc,
// network (moby cmd/dockerd/daemon.go initRouter). Within a router, moby's declaration order.
const SPECS: readonly RouteSpec[] = [
  // container router (api/server/router/container/container.go)
  ['HEAD', '/containers/{name:.*}/archive', 'container_archive_info'],
  ['GET', '/containers/json', 'container_list', 'none'],
  ['GET', '/containers/{name:.*}/export', 'container_export'],
  ['GET', '/containers/{name:.*}/changes', 'container_changes'],
  ['GET', '/containers/{name:.*}/json', 'container_inspect'],
  ['GET', '/containers/{name:.*}/top', 'container_top'],
  ['GET', '/containers/{name:.*}/logs', 'container_logs'],
  ['GET', '/containers/{name:.*}/stats', 'container_stats'],
  ['GET', '/containers/{name:.*}/attach/ws', 'container_attach_ws'],
  ['GET', '/exec/{id:.*}/json', 'exec_inspect'],
  ['GET', '/containers/{name:.*}/archive', 'container_archive_get'],
  ['POST', '/containers/create', 'container_create', 'query:name'],
  ['POST', '/containers/{name:.*}/kill', 'container_kill'],
  ['POST', '/containers/{name:.*}/pause', 'container_pause'],
  ['POST', '/containers/{name:.*}/unpause', 'container_unpause'],
  ['POST', '/containers/{name:.*}/restart', 'container_restart'],
  ['POST', '/containers/{name:.*}/start', 'container_start'],
  ['POST', '/containers/{name:.*}/stop', 'container_stop'],
  ['POST', '/containers/{name:.*}/wait', 'container_wait'],
  ['POST', '/containers/{name:.*}/resize', 'container_resize'],
  ['POST', '/containers/{name:.*}/attach', 'container_attach'],
  ['POST', '/containers/{name:.*}/copy', 'container_copy'],
  ['POST', '/containers/{name:.*}/exec', 'exec_create'],
  ['POST', '/exec/{name:.*}/start', 'exec_start'],
  ['POST', '/exec/{name:.*}/resize', 'exec_resize'],
  ['POST', '/containers/{name:.*}/rename', 'container_rename'],
  ['POST', '/containers/{name:.*}/update', 'container_update'],
  ['POST', '/containers/prune', 'container_prune', 'none'],
  ['POST', '/commit', 'container_commit', 'query:container'],
  ['PUT', '/containers/{name:.*}/archive', 'container_archive_put'],
  ['DELETE', '/containers/{name:.*}', 'container_delete'],
  // image router (api/server/router/image/image.go)
  ['GET', '/images/json', 'image_list', 'none'],
  ['GET', '/images/search', 'image_search', 'none'],
  ['GET', '/images/get', 'image_save', 'query:names'],
  ['GET', '/images/{name:.*}/get', 'image_save'],
  ['GET', '/images/{name:.*}/history', 'image_history'],
  ['GET', '/images/{name:.*}/json', 'image_inspect'],
  ['POST', '/images/load', 'image_load', 'none'],
  ['POST', '/images/create', 'image_pull', 'query:fromImage'],
  ['POST', '/images/{name:.*}/push', 'image_push'],
  ['POST', '/images/{name:.*}/tag', 'image_tag'],
  ['POST', '/images/prune', 'image_prune', 'none'],
  ['DELETE', '/images/{name:.*}', 'image_delete'],
  // system router (api/server/router/system/system.go)
  ['OPTIONS', '/{anyroute:.*}', 'api_options', 'none'],
  ['GET', '/_ping', 'system_ping', 'none'],
  ['HEAD', '/_ping', 'system_ping', 'none'],
  ['GET', '/events', 'system_events', 'none'],
  ['GET', '/info', 'system_info', 'none'],
  ['GET', '/version', 'system_version', 'none'],
  ['GET', '/system/df', 'system_df', 'none'],
  ['POST', '/auth', 'system_auth', 'none'],
  // volume router
  ['GET', '/volumes', 'volume_list', 'none'],
  ['GET', '/volumes/{name:.*}', 'volume_inspect'],
  ['POST', '/volumes/create', 'volume_create', 'body'],
  ['POST', '/volumes/prune', 'volume_prune', 'none'],
  ['DELETE', '/volumes/{name:.*}', 'volume_delete'],
  // build router
  ['POST', '/build', 'image_build', 'query:t'],
  ['POST', '/build/prune', 'build_prune', 'none'],
  ['POST', '/build/cancel', 'build_cancel', 'none'],
  // session router
  ['POST', '/session', 'build_session', 'none'],
  // swarm router (api/server/router/swarm/cluster.go)
  ['GET', '/swarm', 'swarm_inspect', 'none'],
  ['GET', '/swarm/unlockkey', 'swarm_unlockkey', 'none'],
  ['POST', '/swarm/init', 'swarm_init', 'none'],
  ['POST', '/swarm/join', 'swarm_join', 'none'],
  ['POST', '/swarm/leave', 'swarm_leave', 'none'],
  ['POST', '/swarm/update', 'swarm_update', 'none'],
  ['POST', '/swarm/unlock', 'swarm_unlock', 'none'],
  ['GET', '/services', 'service_list', 'none'],
  ['GET', '/services/{id}', 'service_inspect'],
  ['POST', '/services/create', 'service_create', 'none'],
  ['POST', '/services/{id}/update', 'service_update'],
  ['DELETE', '/services/{id}', 'service_delete'],
  ['GET', '/services/{id}/logs', 'service_logs'],
  ['GET', '/nodes', 'node_list', 'none'],
  ['GET', '/nodes/{id}', 'node_inspect'],
  ['DELETE', '/nodes/{id}', 'node_delete'],
  ['POST', '/nodes/{id}/update', 'node_update'],
  ['GET', '/tasks', 'task_list', 'none'],
  ['GET', '/tasks/{id}', 'task_inspect'],
  ['GET', '/tasks/{id}/logs', 'task_logs'],
  ['GET', '/secrets', 'secret_list', 'none'],
  ['POST', '/secrets/create', 'secret_create', 'none'],
  ['DELETE', '/secrets/{id}', 'secret_delete'],
  ['GET', '/secrets/{id}', 'secret_inspect'],
  ['POST', '/secrets/{id}/update', 'secret_update'],
  ['GET', '/configs', 'config_list', 'none'],
  ['POST', '/configs/create', 'config_create', 'none'],
  ['DELETE', '/configs/{id}', 'config_delete'],
  ['GET', '/configs/{id}', 'config_inspect'],
  ['POST', '/configs/{id}/update', 'config_update'],
  // plugin router
  ['GET', '/plugins', 'plugin_list', 'none'],
  ['GET', '/plugins/{name:.*}/json', 'plugin_inspect'],
  ['GET', '/plugins/privileges', 'plugin_privileges', 'none'],
  ['DELETE', '/plugins/{name:.*}', 'plugin_delete'],
  ['POST', '/plugins/{name:.*}/enable', 'plugin_enable'],
  ['POST', '/plugins/{name:.*}/disable', 'plugin_disable'],
  ['POST', '/plugins/pull', 'plugin_install', 'query:name'],
  ['POST', '/plugins/{name:.*}/push', 'plugin_push'],
  ['POST', '/plugins/{name:.*}/upgrade', 'plugin_upgrade'],
  ['POST', '/plugins/{name:.*}/set', 'plugin_set'],
  ['POST', '/plugins/create', 'plugin_create', 'query:name'],
  // distribution router
  ['GET', '/distribution/{name:.*}/json', 'distribution_inspect'],
  // checkpoint router (experimental daemons)
  ['GET', '/containers/{name:.*}/checkpoints', 'checkpoint_list'],
  ['POST', '/containers/{name:.*}/checkpoints', 'checkpoint_create'],
  ['DELETE', '/containers/{name}/checkpoints/{checkpoint}', 'checkpoint_delete'],
  // grpc router
  ['POST', '/grpc', 'build_grpc', 'none'],
  // network router
  ['GET', '/networks', 'network_list', 'none'],
  ['GET', '/networks/', 'network_list', 'none'],
  ['GET', '/networks/{id:.+}', 'network_inspect'],
  ['POST', '/networks/create', 'network_create', 'none'],
  ['POST', '/networks/{id:.*}/connect', 'network_connect'],
  ['POST', '/networks/{id:.*}/disconnect', 'network_disconnect'],
  ['POST', '/networks/prune', 'network_prune', 'none'],
  ['DELETE', '/networks/{id:.*}', 'network_delete'],
];

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Compiles a mux template: `{v}` is `[^/]+`, `{v:re}` is `re`; the first variable is captured. */
export function compileTemplate(template: string): RegExp {
  let out = '';
  let rest = template;
  let captured = false;
  for (;;) {
    const open = rest.indexOf('{');
    if (open < 0) {
      out += escapeRegex(rest);
      break;
    }
    const close = rest.indexOf('}', open);
    out += escapeRegex(rest.slice(0, open));
    const inner = rest.slice(open + 1, close);
    const colon = inner.indexOf(':');
    // Go's regexp `.` matches anything but \n (JavaScript's also stops at \r, U+2028, U+2029)
    const re = colon < 0 ? '[^/]+' : inner.slice(colon + 1).replace(/\./g, '[^\\n]');
    out += captured ? `(?:${re})` : `(${re})`;
    captured = true;
    rest = rest.slice(close + 1);
  }
  return new RegExp(`^${out}$`, 'u');
}

export const ROUTES: readonly Route[] = SPECS.map(([method, path, action, resourceFrom]) => {
  if (!ACTION_BY_NAME.has(action)) throw new Error(`route ${method} ${path}: unknown action ${action}`);
  return {
    method,
    path,
    action,
    resourceFrom: resourceFrom ?? (path.includes('{') ? 'path' : 'none'),
    regex: compileTemplate(path),
  };
});

export interface RouteMatch {
  readonly route: Route;
  /** The first path variable (container name, exec id, image name...), when the route has one. */
  readonly param: string | undefined;
}

/** mux's versionMatcher prefix: "/v{version:[0-9.]+}". */
const VERSION_PREFIX = /^\/v([0-9.]+)(\/[^\n]*)$/;

/** Splits "/v1.41/containers/json" into version "1.41" and the route path; unversioned paths pass through. */
export function splitVersion(path: string): { version: string | undefined; path: string } {
  const m = VERSION_PREFIX.exec(path);
  if (m !== null) return { version: m[1], path: m[2] ?? '/' };
  return { version: undefined, path };
}

/** Finds the route dockerd would dispatch to (first match in registration order), on a decoded, clean path. */
const ROUTES_BY_METHOD = new Map<string, Route[]>();
for (const route of ROUTES) {
  const list = ROUTES_BY_METHOD.get(route.method) ?? [];
  list.push(route);
  ROUTES_BY_METHOD.set(route.method, list);
}

export function matchRoute(method: string, path: string): RouteMatch | undefined {
  for (const route of ROUTES_BY_METHOD.get(method) ?? []) {
    const m = route.regex.exec(path);
    if (m !== null) return { route, param: m[1] };
  }
  return undefined;
}
