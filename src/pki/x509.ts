// The one place that touches the X.509 library (@peculiar/x509 on Node's WebCrypto): key
// generation, issuing, reading certificates back. Nothing here shells out to openssl or
// builds ASN.1 by hand.
//
// Keys: ECDSA P-256 for the CA and every certificate (Go's crypto/tls has accepted it since
// long before Kubernetes 1.0, so every 1.x release does; generating one takes about a
// millisecond), RSA 2048 for the service-account key pair, which every release reads.
// Private keys are written in the traditional PEM forms kubeadm writes and every Kubernetes
// release parses: "EC PRIVATE KEY" (SEC 1) and "RSA PRIVATE KEY" (PKCS #1).
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { createPrivateKey, createPublicKey, KeyObject, randomBytes, webcrypto } from 'node:crypto';

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

export function readCert(pem: string): CertFacts {
  const cert = new x509.X509Certificate(pem);
  const san = cert.getExtension(x509.SubjectAlternativeNameExtension);
  const names = san?.names.items ?? [];
  const eku = cert.getExtension(x509.ExtendedKeyUsageExtension)?.usages ?? [];
  const usage = eku.length !== 1 ? 'other' : eku[0] === x509.ExtendedKeyUsage.serverAuth ? 'server' : eku[0] === x509.ExtendedKeyUsage.clientAuth ? 'client' : 'other';
  const commonName = cert.subjectName.getField('CN')[0] ?? '';
  const organizations = cert.subjectName.getField('O');
  return {
    commonName,
    organizations,
    dnsNames: names.filter((n) => n.type === 'dns').map((n) => n.value),
    ipAddresses: names.filter((n) => n.type === 'ip').map((n) => n.value),
    usage,
    notBefore: cert.notBefore,
    notAfter: cert.notAfter,
    spki: Buffer.from(cert.publicKey.rawData),
    subjectText: subjectText({ commonName, organizations }),
  };
}

export function subjectText(s: Subject): string {
  return [`CN=${s.commonName}`, ...s.organizations.map((o) => `O=${o}`)].join(', ');
}

/** Whether `pem` carries a valid signature of the CA in `caPem`, and names it as issuer. */
export async function issuedBy(pem: string, caPem: string): Promise<boolean> {
  const cert = new x509.X509Certificate(pem);
  const ca = new x509.X509Certificate(caPem);
  if (cert.issuer !== ca.subject) return false;
  return cert.verify({ publicKey: ca.publicKey, signatureOnly: true });
}
