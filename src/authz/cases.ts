// Offline policy tests (`bulkhead authz test POLICY CASES`): a YAML file of requests as dockerd would send them,
// each with the expected decision, run through the same decoder and evaluator as the plugin, with the
// containers and exec instances the engine would resolve given in the file.
import { z } from 'zod';
import { InputError } from '../shared/errors.js';
import { parseYaml } from '../shared/yaml.js';
import { readTextInput } from '../shared/files.js';
import { evaluate, type Decision } from './evaluate.js';
import type { Policy } from './policy.js';
import type { AuthzRequest } from './protocol.js';
import { decodeRequest } from './request.js';
import { lookupContainer, StaticResolver, type ContainerInfo, type ExecInfo } from './resolver.js';

const caseSchema = z.strictObject({
  name: z.string().min(1),
  /** TLS CN; omit for a unix-socket (anonymous) request. */
  user: z.string().optional(),
  method: z.string().min(1).default('GET'),
  uri: z.string().startsWith('/'),
  headers: z.record(z.string(), z.string()).optional(),
  /** A JSON body given as YAML (encoded with JSON.stringify), or `rawBody` for exact bytes. */
  body: z.unknown().optional(),
  rawBody: z.string().optional(),
  expect: z.enum(['allow', 'deny']),
  /** Substring the deny message must contain. */
  message: z.string().optional(),
});

const casesFileSchema = z.strictObject({
  containers: z
    .array(
      z.strictObject({
        id: z.string().regex(/^[0-9a-f]{64}$/, 'a 64-hex container id'),
        names: z.array(z.string()),
      }),
    )
    .default([]),
  execs: z
    .array(
      z.strictObject({
        id: z.string().min(1),
        container: z.string().min(1),
        user: z.string().default(''),
        privileged: z.boolean().default(false),
      }),
    )
    .default([]),
  cases: z.array(caseSchema).min(1),
});

export type PolicyCase = z.infer<typeof caseSchema>;

export interface CaseResult {
  readonly name: string;
  readonly line: number | undefined;
  readonly expected: 'allow' | 'deny';
  readonly decision: Decision;
  readonly passed: boolean;
  readonly problem: string | undefined;
}

export interface CasesFile {
  readonly cases: readonly (PolicyCase & { readonly line: number | undefined })[];
  readonly resolver: StaticResolver;
}

function lineOf(position: string | undefined): number | undefined {
  return position === undefined ? undefined : Number(position.split(':')[0]);
}

export function parseCases(text: string, source: string): CasesFile {
  const { doc, positionOf } = parseYaml(text, source);
  const parsed = casesFileSchema.safeParse(doc.toJS({ maxAliasCount: 100 }));
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => {
      const path = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
      const position = positionOf(path);
      return `${source}${position === undefined ? '' : `:${position}`}: ${path.join('.') || '(document)'}: ${issue.message}`;
    });
    throw new InputError(source, `invalid cases file:\n${lines.join('\n')}`, {
      hint: 'each case needs name, uri and expect (allow|deny); docs/authz.md shows the format',
    });
  }
  const containers: ContainerInfo[] = parsed.data.containers;
  const execs: ExecInfo[] = parsed.data.execs.map((e) => ({
    id: e.id,
    containerId: lookupContainer(containers, e.container)?.id ?? e.container,
    user: e.user,
    privileged: e.privileged,
  }));
  return {
    cases: parsed.data.cases.map((c, i) => ({ ...c, line: lineOf(positionOf(['cases', i])) })),
    resolver: new StaticResolver(containers, execs),
  };
}

export function loadCases(file: string): CasesFile {
  return parseCases(readTextInput(file, 'cases file', 'pass an existing YAML file of test cases'), file);
}

function toRequest(c: PolicyCase): AuthzRequest {
  const body = c.rawBody ?? (c.body === undefined ? undefined : JSON.stringify(c.body));
  const headers: Record<string, string> = { ...(c.headers ?? {}) };
  if (body !== undefined) {
    headers['Content-Type'] ??= 'application/json';
    headers['Content-Length'] ??= String(Buffer.byteLength(body));
  }
  return {
    ...(c.user === undefined ? {} : { User: c.user, UserAuthNMethod: 'TLS' }),
    RequestMethod: c.method,
    RequestUri: c.uri,
    RequestHeaders: headers,
    ...(body === undefined ? {} : { RequestBody: Buffer.from(body).toString('base64') }),
  };
}

export async function runCases(policy: Policy, file: CasesFile): Promise<CaseResult[]> {
  const results: CaseResult[] = [];
  for (const c of file.cases) {
    const decision = await evaluate(policy, decodeRequest(toRequest(c)), file.resolver);
    const got = decision.allow ? 'allow' : 'deny';
    let problem: string | undefined;
    if (got !== c.expect) problem = `expected ${c.expect}, got ${got}`;
    else if (c.message !== undefined && !decision.msg.includes(c.message)) {
      problem = `deny message does not contain ${JSON.stringify(c.message)}`;
    }
    results.push({
      name: c.name,
      line: c.line,
      expected: c.expect,
      decision,
      passed: problem === undefined,
      problem,
    });
  }
  return results;
}
