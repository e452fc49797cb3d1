// The one place that makes and reads certificates: keys from Node's WebCrypto, certificates
// issued with @peculiar/x509, read back with node:crypto's X509Certificate. Nothing here
// shells out to openssl or builds ASN.1 by hand.
//
// Keys: ECDSA P-256 for the CA and every certificate (Go's crypto/tls has accepted it since
// long before Kubernetes 1.0, so every 1.x release does; generating one takes about a
// millisecond), RSA 2048 for the service-account key pair, which every release reads.
// Private keys are written in the traditional PEM forms kubeadm writes and every Kubernetes
// release parses: "EC PRIVATE KEY" (SEC 1) and "RSA PRIVATE KEY" (PKCS #1).
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { createPrivateKey, createPublicKey, KeyObject, randomBytes, webcrypto, X509Certificate as NodeX509 } from 'node:crypto';

type Key = webcrypto.CryptoKey;
type KeyPair = webcrypto.CryptoKeyPair;

x509.cryptoProvider.set(webcrypto as unknown as Crypto);

const EC: webcrypto.EcKeyGenParams & { hash: string } = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
const RSA: webcrypto.RsaHashedKeyGenParams = { name: 'RSASSA-PKCS1-v1_5', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' };

export async function newEcKeys(): Promise<KeyPair> {
  return (await webcrypto.subtle.generateKey(EC, true, ['sign', 'verify'])) as KeyPair;
}

export async function newRsaKeys(): Promise<KeyPair> {
  return (await webcrypto.subtle.generateKey(RSA, true, ['sign', 'verify'])) as KeyPair;
}

export function privateKeyPem(key: Key): string {
  const type = key.algorithm.name === 'ECDSA' ? 'sec1' : 'pkcs1';
  return KeyObject.from(key).export({ type, format: 'pem' }).toString();
}

export function publicKeyPem(key: Key): string {
  return KeyObject.from(key).export({ type: 'spki', format: 'pem' }).toString();
}

/** The DER SubjectPublicKeyInfo of a private key's public half, to match it to a certificate. */
export function spkiOfPrivateKey(pem: string): Buffer {
  return createPublicKey(createPrivateKey(pem)).export({ type: 'spki', format: 'der' });
}

export function spkiOfPublicKey(pem: string): Buffer {
  return createPublicKey(pem).export({ type: 'spki', format: 'der' });
}

/** A stored EC private key, ready to sign with (the CA's). */
export async function importSigningKey(pem: string): Promise<Key> {
  const der = createPrivateKey(pem).export({ type: 'pkcs8', format: 'der' });
  return webcrypto.subtle.importKey('pkcs8', der, EC, false, ['sign']);
}

/** A positive 128-bit serial number, as hex. */
function serial(): string {
  const b = randomBytes(16);
  b[0] = (b[0]! & 0x7f) | 0x01;
  return b.toString('hex');
}

export interface Subject {
  commonName: string;
  organizations: string[];
}

// Built from fields, never parsed from a string, so a name with a comma cannot change meaning.
function name(s: Subject): x509.JsonName {
  return [...s.organizations.map((o) => ({ O: [o] })), { CN: [s.commonName] }];
}

export interface Validity {
  notBefore: Date;
  notAfter: Date;
}

export async function selfSignedCa(keys: KeyPair, subject: Subject, validity: Validity): Promise<string> {
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(),
    name: name(subject),
    ...validity,
    keys: keys as unknown as CryptoKeyPair,
    signingAlgorithm: EC,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign | x509.KeyUsageFlags.digitalSignature, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey as unknown as CryptoKey),
    ],
  });
  return cert.toString('pem') + '\n';
}

export interface LeafRequest extends Subject {
  dnsNames: string[];
  ipAddresses: string[];
  usage: 'server' | 'client';
}

export async function issue(req: LeafRequest, publicKey: Key, ca: { cert: string; key: Key }, validity: Validity): Promise<string> {
  const caCert = new x509.X509Certificate(ca.cert);
  const sans = [...req.dnsNames.map((value) => ({ type: 'dns' as const, value })), ...req.ipAddresses.map((value) => ({ type: 'ip' as const, value }))];
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serial(),
    subject: name(req),
    issuer: caCert.subjectName,
    ...validity,
    publicKey: publicKey as unknown as CryptoKey,
    signingKey: ca.key as unknown as CryptoKey,
    signingAlgorithm: EC,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([req.usage === 'server' ? x509.ExtendedKeyUsage.serverAuth : x509.ExtendedKeyUsage.clientAuth]),
      ...(sans.length ? [new x509.SubjectAlternativeNameExtension(sans)] : []),
      await x509.AuthorityKeyIdentifierExtension.create(caCert),
    ],
  });
  return cert.toString('pem') + '\n';
}

/** What a stored certificate says, for deciding whether it still fits the lab. */
export interface CertFacts {
  commonName: string;
  organizations: string[];
  dnsNames: string[];
  ipAddresses: string[];
  usage: 'server' | 'client' | 'other';
  notBefore: Date;
  notAfter: Date;
  spki: Buffer;
  subjectText: string;
}

const SERVER_AUTH = '1.3.6.1.5.5.7.3.1';
const CLIENT_AUTH = '1.3.6.1.5.5.7.3.2';

// Reading back goes through node:crypto's X509Certificate (OpenSSL): some fifty times faster
// than parsing with the library, which matters when a thousand-node lab's PKI is checked on
// every apply. Subject lines come as "O=...\nCN=..."; SANs as "DNS:x, IP Address:y". The
// values labsmith writes (DNS labels, addresses, fixed names) need no escaping; a value that
// did would read back different and be renewed, never silently kept.
export function readCert(pem: string): CertFacts {
  const cert = new NodeX509(pem);
  const attrs = cert.subject.split('\n').map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)] as const);
  const commonName = attrs.find(([k]) => k === 'CN')?.[1] ?? '';
  const organizations = attrs.filter(([k]) => k === 'O').map(([, v]) => v);
  const sans = cert.subjectAltName ? cert.subjectAltName.split(', ') : [];
  const eku = Array.isArray(cert.keyUsage) ? cert.keyUsage : [];
  const usage = eku.length !== 1 ? 'other' : eku[0] === SERVER_AUTH ? 'server' : eku[0] === CLIENT_AUTH ? 'client' : 'other';
  return {
    commonName,
    organizations,
    dnsNames: sans.filter((n) => n.startsWith('DNS:')).map((n) => n.slice(4)),
    ipAddresses: sans.filter((n) => n.startsWith('IP Address:')).map((n) => n.slice(11)),
    usage,
    notBefore: new Date(cert.validFrom),
    notAfter: new Date(cert.validTo),
    spki: cert.publicKey.export({ type: 'spki', format: 'der' }),
    subjectText: subjectText({ commonName, organizations }),
  };
}

export function subjectText(s: Subject): string {
  return [`CN=${s.commonName}`, ...s.organizations.map((o) => `O=${o}`)].join(', ');
}

/** A CA certificate parsed once, to check many certificates against. */
export type CaCheck = NodeX509;
export const caCheck = (caPem: string): CaCheck => new NodeX509(caPem);

/** Whether `pem` names the CA as its issuer and carries its valid signature. */
export function issuedBy(pem: string, ca: CaCheck): boolean {
  const cert = new NodeX509(pem);
  return cert.checkIssued(ca) && cert.verify(ca.publicKey);
}
