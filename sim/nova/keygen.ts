// SSH key material for the simulated os-keypairs API: a real RSA key pair (so that the private key
// a client saves is usable), the public key in OpenSSH format and its MD5 fingerprint.
import { createHash, generateKeyPair, randomBytes, sign } from 'node:crypto';
import { promisify } from 'node:util';
import { SimServiceError } from '../types.js';

const generateKeyPairAsync = promisify(generateKeyPair);

function sshString(buf: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(buf.length);
  return Buffer.concat([len, buf]);
}

function sshMpint(bigEndian: Buffer): Buffer {
  let b = bigEndian;
  while (b.length > 1 && b[0] === 0) b = b.subarray(1);
  if (b[0] & 0x80) b = Buffer.concat([Buffer.from([0]), b]);
  return sshString(b);
}

/** Colon-separated MD5 of the decoded key blob, as `ssh-keygen -E md5 -l` prints it. */
export function md5Fingerprint(blob: Buffer): string {
  return createHash('md5').update(blob).digest('hex').match(/../g)!.join(':');
}

export interface GeneratedKey {
  publicKey: string;
  privateKey: string;
  fingerprint: string;
}

/** Generates a 2048-bit RSA key pair. */
export async function generateSshKey(comment = 'Generated-by-Nova'): Promise<GeneratedKey> {
  const { publicKey, privateKey } = await generateKeyPairAsync('rsa', { modulusLength: 2048 });
  const jwk = publicKey.export({ format: 'jwk' }) as { n: string; e: string };
  const blob = Buffer.concat([sshString(Buffer.from('ssh-rsa')), sshMpint(Buffer.from(jwk.e, 'base64url')), sshMpint(Buffer.from(jwk.n, 'base64url'))]);
  return {
    publicKey: `ssh-rsa ${blob.toString('base64')} ${comment}\n`,
    privateKey: privateKey.export({ format: 'pem', type: 'pkcs1' }) as string,
    fingerprint: md5Fingerprint(blob),
  };
}

const SSH_TYPES = ['ssh-rsa', 'ssh-dss', 'ssh-ed25519', 'ecdsa-sha2-nistp256', 'ecdsa-sha2-nistp384', 'ecdsa-sha2-nistp521'];

/** Fingerprint of an imported public key; 400 "Keypair data is invalid" when it does not parse. */
export function fingerprintOf(publicKey: string, type: 'ssh' | 'x509'): string {
  const invalid = () => new SimServiceError(400, 'Keypair data is invalid: failed to generate fingerprint');
  if (type === 'x509') {
    const m = /-----BEGIN CERTIFICATE-----([\s\S]+?)-----END CERTIFICATE-----/.exec(publicKey);
    if (!m) throw invalid();
    const der = Buffer.from(m[1].replace(/\s+/g, ''), 'base64');
    return createHash('sha1').update(der).digest('hex').match(/../g)!.join(':');
  }
  const parts = publicKey.trim().split(/\s+/);
  if (parts.length < 2 || !SSH_TYPES.includes(parts[0]) || !/^[A-Za-z0-9+/]+={0,2}$/.test(parts[1])) throw invalid();
  const blob = Buffer.from(parts[1], 'base64');
  if (blob.length < 8) throw invalid();
  const typeLen = blob.readUInt32BE(0);
  if (blob.subarray(4, 4 + typeLen).toString() !== parts[0]) throw invalid();
  return md5Fingerprint(blob);
}

/** A DER TLV (definite length). */
function tlv(tag: number, ...parts: Buffer[]): Buffer {
  const value = Buffer.concat(parts);
  const size = value.length;
  const head = size < 128 ? [tag, size] : size < 256 ? [tag, 0x81, size] : [tag, 0x82, size >> 8, size & 0xff];
  return Buffer.concat([Buffer.from(head), value]);
}

/** Object identifiers the certificate uses, pre-encoded (base-128 arcs). */
const OID = {
  sha256WithRsa: Buffer.from('2a864886f70d01010b', 'hex'),
  country: Buffer.from('550406', 'hex'),
  organization: Buffer.from('55040a', 'hex'),
  commonName: Buffer.from('550403', 'hex'),
};

/**
 * Generates an x509 key pair as Nova does: an RSA 2048 key and a self-signed certificate (subject
 * C=US, O=OpenStack, CN=<project>-<user>-<time>, ten years); the certificate is the public key and
 * its SHA-1 the fingerprint.
 */
export async function generateX509Key(projectId: string, userId: string): Promise<GeneratedKey> {
  const { publicKey, privateKey } = await generateKeyPairAsync('rsa', { modulusLength: 2048 });
  const now = new Date();
  const later = new Date(now.getTime() + 3650 * 86_400_000);
  const time = (d: Date) => tlv(0x17, Buffer.from(`${d.toISOString().replace(/[-:T]/g, '').slice(2, 14)}Z`));
  const attr = (oid: Buffer, value: string) => tlv(0x31, tlv(0x30, tlv(0x06, oid), tlv(0x0c, Buffer.from(value))));
  const subject = tlv(0x30, attr(OID.country, 'US'), attr(OID.organization, 'OpenStack'), attr(OID.commonName, `${projectId}-${userId}-${now.toISOString()}`));
  const algorithm = tlv(0x30, tlv(0x06, OID.sha256WithRsa), tlv(0x05));
  const serial = randomBytes(12);
  serial[0] = (serial[0] & 0x7f) | 0x01;
  const body = tlv(
    0x30,
    tlv(0xa0, tlv(0x02, Buffer.from([2]))),
    tlv(0x02, serial),
    algorithm,
    subject,
    tlv(0x30, time(now), time(later)),
    subject,
    publicKey.export({ format: 'der', type: 'spki' }),
  );
  const certificate = tlv(0x30, body, algorithm, tlv(0x03, Buffer.from([0]), sign('sha256', body, privateKey)));
  const lines = certificate.toString('base64').replace(/(.{64})/g, '$1\n');
  return {
    publicKey: `-----BEGIN CERTIFICATE-----\n${lines.trimEnd()}\n-----END CERTIFICATE-----\n`,
    privateKey: privateKey.export({ format: 'pem', type: 'pkcs1' }) as string,
    fingerprint: createHash('sha1').update(certificate).digest('hex').match(/../g)!.join(':'),
  };
}
