// Registry of the network rules: exactly the rule files of this directory (checked by rules.test.ts).
import { rule as bhN001 } from './bh-n-001-new-listening-port.js';
import { rule as bhN002 } from './bh-n-002-new-outbound-edge.js';
import { rule as bhN003 } from './bh-n-003-new-inbound-edge.js';
import { rule as bhN004 } from './bh-n-004-host-management-port.js';
import { rule as bhN005 } from './bh-n-005-default-bridge-icc.js';
import type { NetRule } from './context.js';

export const NET_RULES: readonly NetRule[] = [bhN001, bhN002, bhN003, bhN004, bhN005];
