// What a network rule sees (the rule model of src/shared/rule.ts): one new listener or one edge, from the point of
// view of one watched container, with that container's learned network section (undefined while none exists); or
// one connection to, or one bind mount of, an engine API socket.
import type { Rule } from '../../shared/rule.js';
import type { DockerNetwork } from '../graph.js';
import type { NetworkSection } from '../profile.js';
import { endpointLabel, type Edge, type ListeningPort, type NetContainer } from '../types.js';
import type { SocketMount, UnixConnection } from '../unix.js';

export type NetRuleContext =
  | {
      readonly kind: 'listen';
      readonly container: NetContainer;
      readonly listen: ListeningPort;
      readonly section: NetworkSection | undefined;
      readonly networks: readonly DockerNetwork[];
    }
  | {
      readonly kind: 'edge';
      /** The watched container the edge is judged for: its client (outbound) or its server (inbound). */
      readonly container: NetContainer;
      readonly role: 'outbound' | 'inbound';
      readonly edge: Edge;
      readonly section: NetworkSection | undefined;
      readonly networks: readonly DockerNetwork[];
    }
  | {
      /** A process of the container is connected to one of the engine's unix API sockets (sock_diag, unix.ts). */
      readonly kind: 'unix-connect';
      readonly container: NetContainer;
      readonly connection: UnixConnection;
    }
  | {
      /** The container's bind mounts expose one of the engine's API sockets (once per container and socket). */
      readonly kind: 'socket-mount';
      readonly container: NetContainer;
      readonly mount: SocketMount;
    };

/** A rule's verdict on one context: a message, or undefined when the rule has nothing to say. */
export interface NetAlert {
  readonly message: string;
}

export interface NetRuleCase {
  readonly name: string;
  readonly input: NetRuleContext;
  /** A substring of the message, or null for "no alert". */
  readonly expect: string | null;
}

export type NetRule = Rule<NetRuleContext, NetAlert | undefined, readonly NetRuleCase[]>;

export const docsUrl = (id: string): string => `docs/rules/net.md#${id.toLowerCase()}`;

/** What an alert on this context names besides the container: the peer (an endpoint or a socket path) and port. */
export function alertSubject(ctx: NetRuleContext): {
  readonly peer: string | undefined;
  readonly port: number | undefined;
  readonly proto: string | undefined;
} {
  switch (ctx.kind) {
    case 'edge':
      return {
        peer: endpointLabel(ctx.role === 'outbound' ? ctx.edge.server : ctx.edge.client),
        port: ctx.edge.port,
        proto: ctx.edge.proto,
      };
    case 'listen':
      return { peer: undefined, port: ctx.listen.port, proto: ctx.listen.proto };
    case 'unix-connect':
      return { peer: ctx.connection.socket.path, port: undefined, proto: 'unix' };
    case 'socket-mount':
      return { peer: ctx.mount.socket.path, port: undefined, proto: 'unix' };
    default:
      return ctx satisfies never;
  }
}
