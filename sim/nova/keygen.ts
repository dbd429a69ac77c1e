// SSH key material for the simulated os-keypairs API: a real RSA key pair (so that the private key
// a client saves is usable), the public key in OpenSSH format and its MD5 fingerprint.
import { createHash, generateKeyPair } from 'node:crypto';
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
