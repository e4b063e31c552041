// What a network rule sees (the rule model of src/shared/rule.ts): one new listener or one edge, from the point of
// view of one watched container, with that container's learned network section (undefined while none exists).
import type { Rule } from '../../shared/rule.js';
import type { DockerNetwork } from '../graph.js';
import type { NetworkSection } from '../profile.js';
import type { Edge, ListeningPort, NetContainer } from '../types.js';

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
