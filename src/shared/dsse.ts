// DSSE envelopes (secure-systems-lab/dsse, protocol v1): PAE("DSSEv1", type, body) signed with Ed25519 from
// node:crypto; keyid is the sha256 hex of the signer's SPKI DER public key.
import { createHash, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import { z } from 'zod';

export const REPORT_PAYLOAD_TYPE = 'application/vnd.bulkhead.fleet-report+json';

export const envelopeSchema = z.object({
  payloadType: z.string().max(200),
  payload: z.string().max(64 * 1024 * 1024),
  signatures: z
    .array(z.object({ keyid: z.string().max(128), sig: z.string().max(1024) }))
    .min(1, 'the envelope is unsigned (no signatures)')
    .max(4),
});
export type Envelope = z.infer<typeof envelopeSchema>;

/** Pre-Authentication Encoding of DSSE v1: "DSSEv1" SP LEN(type) SP type SP LEN(body) SP body. */
export function preAuthEncoding(payloadType: string, body: Buffer): Buffer {
  const type = Buffer.from(payloadType, 'utf8');
  return Buffer.concat([
    Buffer.from(`DSSEv1 ${type.length} `, 'utf8'),
    type,
    Buffer.from(` ${body.length} `, 'utf8'),
    body,
  ]);
}

/** sha256 hex of the SPKI DER encoding of a public key. */
export function keyIdOf(publicKey: KeyObject): string {
  return createHash('sha256')
    .update(publicKey.export({ type: 'spki', format: 'der' }))
    .digest('hex');
}

export function signEnvelope(payloadType: string, body: Buffer, privateKey: KeyObject): Envelope {
  const sig = sign(null, preAuthEncoding(payloadType, body), privateKey);
  return {
    payloadType,
    payload: body.toString('base64'),
    signatures: [{ keyid: keyIdOf(createPublicKey(privateKey)), sig: sig.toString('base64') }],
  };
}

/** True when one signature by this key verifies over the envelope's PAE. */
export function verifyEnvelope(envelope: Envelope, body: Buffer, publicKey: KeyObject): boolean {
  const pae = preAuthEncoding(envelope.payloadType, body);
  const keyid = keyIdOf(publicKey);
  return envelope.signatures.some((s) => {
    if (s.keyid !== keyid) return false;
    try {
      return verify(null, pae, publicKey, Buffer.from(s.sig, 'base64'));
    } catch {
      return false;
    }
  });
}
