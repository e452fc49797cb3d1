// The lab's PKI brought up to date: what is stored and still fits the lab is kept byte for
// byte (so a second apply pushes nothing); what is missing is created; what expires within
// 30 days, no longer matches the lab (a node re-addressed, a master added) or no longer
// chains to the CA is renewed with a fresh key; certificates of nodes that left are removed.
import type { Lab } from '../lab/types.js';
import { adminKubeconfig } from './kubeconfig.js';
import { CA_DAYS, caCommonName, certSpecs, LEAF_DAYS, needsPki, RENEW_WITHIN_DAYS, serviceAccountKeyHosts } from './spec.js';
import { makeStoreDir, pkiDir, readStore, removeStoreFile, tightenModes, withStoreLock, writeStoreFile } from './store.js';
import type { CertAndKey, CertSpec, LabPki, PkiEntry } from './types.js';
import type { CaCheck, CertFacts, Validity } from './x509.js';

// The X.509 library takes a few hundred milliseconds to load: only commands that touch the
// PKI pay for it, not every labsmith command.
type X509 = typeof import('./x509.js');
let x509: Promise<X509> | undefined;
const loadX509 = () => (x509 ??= import('./x509.js'));

export interface EnsureOptions {
  /** The clock; tests move it. */
  now?: Date;
  /** false: decide and generate in memory only, write nothing (plan, --dry-run). Default true. */
  write?: boolean;
}

export interface PkiResult {
  dir: string;
  pki: LabPki;
  entries: PkiEntry[];
  /** Files of the pki directory written or removed (or that would be, without write). */
  changed: string[];
}

export const ADMIN_KUBECONFIG = 'admin.kubeconfig';
const DAY = 86_400_000;
// Issued a little in the past, so a host whose clock lags a few minutes accepts them.
const BACKDATE = 5 * 60_000;

export async function ensurePki(lab: Lab, opts: EnsureOptions = {}): Promise<PkiResult> {
  if (!needsPki(lab)) throw new Error(`lab ${lab.name} is legacy: legacy labs have no PKI`);
  const dir = pkiDir(lab);
  const now = opts.now ?? new Date();
  if (opts.write === false) return { dir, ...(await decide(lab, await readStore(dir), now)) };
  await makeStoreDir(dir);
  return withStoreLock(dir, async () => {
    const d = await decide(lab, await readStore(dir), now);
    for (const [file, content] of d.writes) await writeStoreFile(dir, file, content);
    for (const file of d.removes) await removeStoreFile(dir, file);
    await tightenModes(dir);
    return { dir, pki: d.pki, entries: d.entries, changed: d.changed };
  });
}

interface Decision {
  pki: LabPki;
  entries: PkiEntry[];
  writes: Map<string, string>;
  removes: string[];
  changed: string[];
}

async function decide(lab: Lab, stored: Map<string, string>, now: Date): Promise<Decision> {
  const x = await loadX509();
  const { importSigningKey, issue, newEcKeys, newRsaKeys, privateKeyPem, publicKeyPem, readCert, selfSignedCa } = x;
  const writes = new Map<string, string>();
  const entries: PkiEntry[] = [];
  const leafValidity = (caNotAfter: Date): Validity => ({
    notBefore: new Date(now.getTime() - BACKDATE),
    notAfter: new Date(Math.min(now.getTime() + LEAF_DAYS * DAY, caNotAfter.getTime())),
  });

  // The CA. A new CA means every certificate is issued again.
  let caCert = stored.get('ca.crt');
  const caKeyPem = stored.get('ca.key');
  const caProblem = checkCa(x, caCert, caKeyPem, now);
  let signingKey;
  if (caProblem) {
    const keys = await newEcKeys();
    caCert = await selfSignedCa(keys, { commonName: caCommonName(lab), organizations: [] }, { notBefore: new Date(now.getTime() - BACKDATE), notAfter: new Date(now.getTime() + CA_DAYS * DAY) });
    writes.set('ca.crt', caCert);
    writes.set('ca.key', privateKeyPem(keys.privateKey));
    signingKey = keys.privateKey;
  } else {
    signingKey = await importSigningKey(caKeyPem!);
  }
  const ca = readCert(caCert!);
  entries.push({ name: 'ca', kind: 'ca', purpose: 'the cluster CA: signs every certificate below; its key never leaves this directory', subject: ca.subjectText, sans: [], notBefore: ca.notBefore.toISOString(), notAfter: ca.notAfter.toISOString(), ...status(stored.has('ca.crt'), caProblem), keyHosts: [] });

  // The service-account key pair: no certificate, no expiry.
  let sa = { publicKey: stored.get('sa.pub') ?? '', privateKey: stored.get('sa.key') ?? '' };
  const saProblem = checkKeyPair(x, sa.publicKey, sa.privateKey);
  if (saProblem) {
    const keys = await newRsaKeys();
    sa = { publicKey: publicKeyPem(keys.publicKey), privateKey: privateKeyPem(keys.privateKey) };
    writes.set('sa.pub', sa.publicKey);
    writes.set('sa.key', sa.privateKey);
  }
  entries.push({ name: 'sa', kind: 'key pair', purpose: 'service-account tokens: signed with sa.key, checked with sa.pub', subject: '', sans: [], ...status(stored.has('sa.key'), saProblem), keyHosts: serviceAccountKeyHosts(lab) });

  // Every certificate, each checked and (re)issued independently of the others.
  const specs = certSpecs(lab);
  const caChecker = x.caCheck(caCert!);
  const leaves = await Promise.all(
    specs.map(async (spec) => {
      const old = { cert: stored.get(`${spec.name}.crt`), key: stored.get(`${spec.name}.key`) };
      const check = caProblem && old.cert ? { problem: 'the CA was replaced' } : checkLeaf(x, spec, old, caChecker, now);
      if (!check.problem) return { spec, pair: old as CertAndKey, problem: undefined, facts: check.facts! };
      const keys = await newEcKeys();
      const pair = { cert: await issue(spec, keys.publicKey, { cert: caCert!, key: signingKey }, leafValidity(ca.notAfter)), key: privateKeyPem(keys.privateKey) };
      return { spec, pair, problem: check.problem, facts: readCert(pair.cert) };
    }),
  );
  const certs: Record<string, CertAndKey> = {};
  for (const { spec, pair, problem, facts } of leaves) {
    certs[spec.name] = pair;
    if (problem) {
      writes.set(`${spec.name}.crt`, pair.cert);
      writes.set(`${spec.name}.key`, pair.key);
    }
    entries.push({ name: spec.name, kind: 'certificate', purpose: spec.purpose, subject: facts.subjectText, sans: sanList(facts), notBefore: facts.notBefore.toISOString(), notAfter: facts.notAfter.toISOString(), ...status(stored.has(`${spec.name}.crt`), problem), keyHosts: spec.keyHosts });
  }

  // Certificates of nodes that left the lab.
  const wanted = new Set(['ca', 'sa', ...specs.map((s) => s.name)]);
  const removes: string[] = [];
  for (const file of stored.keys()) {
    const m = /^(.+)\.(crt|key|pub)$/.exec(file);
    if (!m || wanted.has(m[1]!)) continue;
    removes.push(file);
    if (m[2] === 'crt') {
      let subject = '';
      try {
        subject = readCert(stored.get(file)!).subjectText;
      } catch {
        // unreadable: removed all the same
      }
      entries.push({ name: m[1]!, kind: 'certificate', purpose: 'no longer in the lab', subject, sans: [], status: 'removed', reason: 'no node or component of the lab uses it', keyHosts: [] });
    }
  }

  const admin = adminKubeconfig(lab, caCert!, certs.admin!);
  if (stored.get(ADMIN_KUBECONFIG) !== admin) writes.set(ADMIN_KUBECONFIG, admin);

  return {
    pki: { caCert: caCert!, serviceAccount: sa, certs },
    entries,
    writes,
    removes,
    changed: [...writes.keys(), ...removes].sort(),
  };
}

function status(existed: boolean, problem: string | undefined): Pick<PkiEntry, 'status' | 'reason'> {
  if (!problem) return { status: 'kept' };
  return existed ? { status: 'renewed', reason: problem } : { status: 'created' };
}

const expiring = (facts: CertFacts, now: Date) => facts.notAfter.getTime() - now.getTime() < RENEW_WITHIN_DAYS * DAY;
const day = (d: Date) => d.toISOString().slice(0, 10);

function checkCa(x: X509, cert: string | undefined, key: string | undefined, now: Date): string | undefined {
  if (cert === undefined || key === undefined) return 'missing';
  let facts: CertFacts;
  try {
    facts = x.readCert(cert);
    if (!facts.spki.equals(x.spkiOfPrivateKey(key))) return 'ca.key does not match ca.crt';
  } catch (err) {
    return `unreadable (${(err as Error).message})`;
  }
  if (expiring(facts, now)) return `expires ${day(facts.notAfter)}, within ${RENEW_WITHIN_DAYS} days`;
  if (facts.notBefore > now) return `not valid before ${facts.notBefore.toISOString()}`;
  return undefined;
}

function checkKeyPair(x: X509, pub: string, key: string): string | undefined {
  if (!pub || !key) return 'missing';
  try {
    return x.spkiOfPublicKey(pub).equals(x.spkiOfPrivateKey(key)) ? undefined : 'sa.pub does not match sa.key';
  } catch (err) {
    return `unreadable (${(err as Error).message})`;
  }
}

/** Why a stored certificate must be issued again, or its facts when it still fits. */
function checkLeaf(x: X509, spec: CertSpec, old: { cert?: string | undefined; key?: string | undefined }, ca: CaCheck, now: Date): { problem?: string; facts?: CertFacts } {
  if (old.cert === undefined || old.key === undefined) return { problem: 'missing' };
  let facts: CertFacts;
  try {
    facts = x.readCert(old.cert);
    if (!facts.spki.equals(x.spkiOfPrivateKey(old.key))) return { problem: 'its key does not match the certificate' };
    if (!x.issuedBy(old.cert, ca)) return { problem: "not issued by the lab's CA" };
  } catch (err) {
    return { problem: `unreadable (${(err as Error).message})` };
  }
  const problem = leafProblem(x, spec, facts, now);
  return problem ? { problem } : { facts };
}

function leafProblem(x: X509, spec: CertSpec, facts: CertFacts, now: Date): string | undefined {
  if (facts.subjectText !== x.subjectText(spec)) return `subject was ${facts.subjectText}`;
  if (facts.usage !== spec.usage) return `usage was ${facts.usage}, now ${spec.usage}`;
  const sanChange = sanDiff(sanList(facts), [...spec.dnsNames.map((d) => `DNS:${d}`), ...spec.ipAddresses.map((i) => `IP:${i}`)]);
  if (sanChange) return `SANs changed: ${sanChange}`;
  if (expiring(facts, now)) return `expires ${day(facts.notAfter)}, within ${RENEW_WITHIN_DAYS} days`;
  if (facts.notBefore > now) return `not valid before ${facts.notBefore.toISOString()}`;
  return undefined;
}

function sanList(facts: CertFacts): string[] {
  return [...facts.dnsNames.map((d) => `DNS:${d}`), ...facts.ipAddresses.map((i) => `IP:${i}`)];
}

function sanDiff(have: string[], want: string[]): string | undefined {
  const added = want.filter((s) => !have.includes(s));
  const removed = have.filter((s) => !want.includes(s));
  if (!added.length && !removed.length) return undefined;
  return [...added.map((s) => `+${s}`), ...removed.map((s) => `-${s}`)].join(' ');
}
