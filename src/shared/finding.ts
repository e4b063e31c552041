// The one Finding type shared by audit, lint and scan results (DESIGN.md "Contracts shared by every stage").
import type { Severity } from './severity.js';

/** A check's outcome. "Could not inspect" is a skip with a reason, never a pass. */
export type Outcome =
  | { readonly kind: 'pass' }
  | { readonly kind: 'fail' }
  | { readonly kind: 'skip'; readonly reason: string }
  | { readonly kind: 'not-applicable'; readonly reason: string };

export type OutcomeKind = Outcome['kind'];

/** The exact field, flag, file line or mode that proves a finding. */
export interface Evidence {
  /** Where the value was read: an inspect path ("HostConfig.Privileged"), a flag ("--icc"), a file ("/etc/docker/daemon.json"). */
  readonly source: string;
  /** The value as found, rendered as text ("true", "0666", "[\"SYS_ADMIN\"]"). */
  readonly value: string;
  /** Optional expectation ("false", "mode & 0o007 == 0"). */
  readonly expected?: string;
}

/** The layer of an image that introduced something, with its history entry. */
export interface LayerRef {
  readonly index: number;
  readonly digest: string;
  readonly createdBy?: string;
}

/** What a finding is about. */
export type Target =
  | { readonly kind: 'host'; readonly root: string }
  | { readonly kind: 'daemon'; readonly address: string }
  | { readonly kind: 'container'; readonly id: string; readonly name: string; readonly image: string }
  | {
      readonly kind: 'image';
      readonly ref: string;
      readonly id?: string;
      readonly layer?: LayerRef;
      readonly path?: string;
    }
  | {
      readonly kind: 'file';
      readonly path: string;
      readonly line: number;
      readonly column: number;
      readonly endLine?: number;
      readonly endColumn?: number;
    }
  | {
      readonly kind: 'package';
      readonly image: string;
      readonly name: string;
      readonly version: string;
      readonly sourceName?: string;
      readonly sourceVersion?: string;
      readonly ecosystem: string;
      readonly layer?: LayerRef;
    };

export type TargetKind = Target['kind'];

/** Vulnerability details carried by scan findings (absent for audit and lint). */
export interface VulnerabilityDetail {
  readonly id: string;
  /** Fixed version, or null when no fix exists yet. */
  readonly fixedVersion: string | null;
  /** Tracker status: fixed, open (no fix), minor/won't-fix and friends. */
  readonly status: 'fixed' | 'open' | 'minor' | 'wont-fix' | 'end-of-life';
  readonly source: string;
}

export interface Finding {
  /** Stable rule id, never reused ("BH-C-PRIVILEGED", "DL3008"-like ids live in aliases). */
  readonly ruleId: string;
  /** Equivalent ids elsewhere: "CIS-1.6.0:5.4", "CIS-1.8.0:5.5", "DL3008", "DS002", "CVE-2024-21626". */
  readonly aliases: readonly string[];
  readonly severity: Severity;
  readonly title: string;
  readonly message: string;
  readonly outcome: Outcome;
  readonly evidence: readonly Evidence[];
  readonly target: Target;
  readonly remediation: string;
  readonly references: readonly string[];
  readonly vulnerability?: VulnerabilityDetail;
}

/** A readable one-line label for a target ("container web (3f2a9c1b2d4e)", "Dockerfile:12:1"). */
export function describeTarget(target: Target): string {
  switch (target.kind) {
    case 'host':
      return target.root === '/' ? 'host' : `host (${target.root})`;
    case 'daemon':
      return `daemon ${target.address}`;
    case 'container':
      return `container ${target.name} (${target.id.slice(0, 12)})`;
    case 'image':
      return target.path === undefined ? `image ${target.ref}` : `image ${target.ref}: ${target.path}`;
    case 'file':
      return `${target.path}:${target.line}:${target.column}`;
    case 'package':
      return `${target.name} ${target.version}`;
    default:
      return target satisfies never;
  }
}

export function isFailure(finding: Finding): boolean {
  return finding.outcome.kind === 'fail';
}
