import { X509Certificate, createHash, generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import { badRequest } from '../../common/index.js';

const SSH_KEY_TYPES = new Set([
  'ssh-rsa',
  'ssh-dss',
  'ssh-ed25519',
  'ecdsa-sha2-nistp256',
  'ecdsa-sha2-nistp384',
  'ecdsa-sha2-nistp521',
  'sk-ssh-ed25519@openssh.com',
  'sk-ecdsa-sha2-nistp256@openssh.com',
]);

const invalidKey = () => badRequest('Keypair data is invalid: failed to generate fingerprint');

const colonHex = (digest: Buffer) => [...digest].map((b) => b.toString(16).padStart(2, '0')).join(':');

/** An SSH wire-format string: uint32 length then the bytes. */
function sshString(data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  return Buffer.concat([len, data]);
}

/** An SSH mpint: big-endian, with a leading zero byte when the high bit is set. */
function sshMpint(unsigned: Buffer): Buffer {
  let i = 0;
  while (i < unsigned.length - 1 && unsigned[i] === 0) i++;
  const trimmed = unsigned.subarray(i);
  return sshString(trimmed[0] & 0x80 ? Buffer.concat([Buffer.from([0]), trimmed]) : trimmed);
}

/** The MD5 fingerprint (colon hex) of an OpenSSH public key line; 400 when it is not one. */
export function sshFingerprint(publicKey: string): string {
  const parts = publicKey.trim().split(/\s+/);
  if (parts.length < 2 || !SSH_KEY_TYPES.has(parts[0]) || !/^[A-Za-z0-9+/]+={0,2}$/.test(parts[1])) throw invalidKey();
  const blob = Buffer.from(parts[1], 'base64');
  if (blob.length < 4) throw invalidKey();
  const len = blob.readUInt32BE(0);
  if (4 + len > blob.length || blob.subarray(4, 4 + len).toString('latin1') !== parts[0]) throw invalidKey();
  return colonHex(createHash('md5').update(blob).digest());
}

/** The SHA-1 fingerprint (colon hex) of a PEM certificate; 400 when it is not one. */
export function x509Fingerprint(pem: string): string {
  try {
    return new X509Certificate(pem).fingerprint.toLowerCase();
  } catch {
    throw badRequest('Keypair data is invalid: failed to generate fingerprint');
  }
}

export interface GeneratedKeypair {
  publicKey: string;
  privateKey: string;
  fingerprint: string;
}

/** A new 2048-bit RSA key pair, the public half in OpenSSH format (as Nova generates them). */
export function generateSshKeypair(): GeneratedKeypair {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048, publicExponent: 0x10001 });
  const jwk = publicKey.export({ format: 'jwk' }) as { n: string; e: string };
  const blob = Buffer.concat([sshString(Buffer.from('ssh-rsa')), sshMpint(Buffer.from(jwk.e, 'base64url')), sshMpint(Buffer.from(jwk.n, 'base64url'))]);
  return {
    publicKey: `ssh-rsa ${blob.toString('base64')} Generated-by-Nova`,
    privateKey: privateKey.export({ type: 'pkcs1', format: 'pem' }).toString(),
    fingerprint: colonHex(createHash('md5').update(blob).digest()),
  };
}

// --- x509: a self-signed certificate over a new RSA key, DER-encoded by hand (node:crypto signs but
// does not build certificates).

/** One DER element: tag, definite length, content. */
function der(tag: number, ...content: Buffer[]): Buffer {
  const body = Buffer.concat(content);
  const n = body.length;
  let len: Buffer;
  if (n < 0x80) len = Buffer.from([n]);
  else {
    const bytes: number[] = [];
    for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
    len = Buffer.from([0x80 | bytes.length, ...bytes]);
  }
  return Buffer.concat([Buffer.from([tag]), len, body]);
}

const seq = (...parts: Buffer[]) => der(0x30, ...parts);

/** A positive INTEGER from big-endian bytes. */
const derInt = (bytes: Buffer) => der(0x02, bytes[0] & 0x80 ? Buffer.concat([Buffer.from([0]), bytes]) : bytes);

function derOid(dotted: string): Buffer {
  const [a, b, ...rest] = dotted.split('.').map(Number);
  const out = [40 * a + b];
  for (const arc of rest) {
    const groups: number[] = [arc & 0x7f];
    for (let v = Math.floor(arc / 128); v > 0; v = Math.floor(v / 128)) groups.unshift(0x80 | (v & 0x7f));
    out.push(...groups);
  }
  return der(0x06, Buffer.from(out));
}

/** UTCTime `YYMMDDHHMMSSZ` (dates before 2050). */
const utcTime = (d: Date) => der(0x17, Buffer.from(`${d.toISOString().slice(2, 19).replace(/[-T:]/g, '')}Z`));

const SHA256_WITH_RSA = seq(derOid('1.2.840.113549.1.1.11'), Buffer.from([0x05, 0x00]));

/** A distinguished name of (attribute OID, UTF8String value) pairs, one RDN each. */
const derName = (attrs: [string, string][]) => seq(...attrs.map(([oid, value]) => der(0x31, seq(derOid(oid), der(0x0c, Buffer.from(value, 'utf8'))))));

/**
 * A new x509 key pair as Nova generates one: a 2048-bit RSA key and a self-signed certificate whose
 * common name names the project, the user and the time, valid for ten years; the certificate (PEM) is
 * the public key, its SHA-1 the fingerprint.
 */
export function generateX509Keypair(userId: string, projectId: string, now = new Date()): GeneratedKeypair {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048, publicExponent: 0x10001 });
  const name = derName([
    ['2.5.4.6', 'US'],
    ['2.5.4.8', 'California'],
    ['2.5.4.10', 'OpenStack'],
    ['2.5.4.11', 'NovaDev'],
    ['2.5.4.3', `${projectId}-${userId}-${now.toISOString()}`],
  ]);
  const until = new Date(now);
  until.setUTCFullYear(until.getUTCFullYear() + 10);
  const serial = randomBytes(16);
  serial[0] &= 0x7f;
  const tbs = seq(
    der(0xa0, derInt(Buffer.from([2]))),
    derInt(serial),
    SHA256_WITH_RSA,
    name,
    seq(utcTime(now), utcTime(until)),
    name,
    publicKey.export({ type: 'spki', format: 'der' }),
  );
  const signature = sign('sha256', tbs, privateKey);
  const cert = seq(tbs, SHA256_WITH_RSA, der(0x03, Buffer.from([0]), signature));
  const pem = `-----BEGIN CERTIFICATE-----\n${cert
    .toString('base64')
    .match(/.{1,64}/g)!
    .join('\n')}\n-----END CERTIFICATE-----\n`;
  return {
    publicKey: pem,
    privateKey: privateKey.export({ type: 'pkcs1', format: 'pem' }).toString(),
    fingerprint: colonHex(createHash('sha1').update(cert).digest()),
  };
}
