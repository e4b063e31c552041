// The Docker authorization plugin protocol (docs.docker.com/engine/extend/plugins_authorization, moby
// pkg/authorization/api.go): zod schemas for what dockerd posts to /AuthZPlugin.AuthZReq and AuthZRes, and the
// replies it expects. Go encodes []byte as base64 and nil slices/maps as null, hence the nullable fields.
import { z } from 'zod';

export const PLUGIN_CONTENT_TYPE = 'application/vnd.docker.plugins.v1.2+json';

const nullableString = z.string().nullish();
const headers = z.record(z.string(), z.string()).nullish();

export const authzRequestSchema = z.object({
  User: nullableString,
  UserAuthNMethod: nullableString,
  RequestMethod: z.string(),
  RequestUri: z.string(),
  RequestBody: nullableString,
  RequestHeaders: headers,
  RequestPeerCertificates: z.array(z.string()).nullish(),
  ResponseStatusCode: z.number().int().nullish(),
  ResponseBody: nullableString,
  ResponseHeaders: headers,
});

export type AuthzRequest = z.infer<typeof authzRequestSchema>;

export interface AuthzResponse {
  readonly Allow: boolean;
  readonly Msg: string;
  readonly Err: string;
}

export const activateResponse = { Implements: ['authz'] } as const;

/**
 * Strict base64 (Go's StdEncoding). Buffer.from silently skips characters outside the alphabet, so a decoded
 * length short of what the text length implies reveals them, without a per-character scan in JavaScript.
 */
export function decodeBase64(text: string): Buffer | undefined {
  if (text.length % 4 !== 0) return undefined;
  const padding = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0;
  if (text.slice(0, text.length - padding).includes('=') || text.includes('-') || text.includes('_'))
    return undefined;
  const bytes = Buffer.from(text, 'base64');
  return bytes.length === (text.length / 4) * 3 - padding ? bytes : undefined;
}
