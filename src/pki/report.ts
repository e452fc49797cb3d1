// The words and the JSON document of `labsmith pki`, made from the same entries. Names,
// subjects, SANs, dates and where keys go: never a key or a certificate's PEM.
import path from 'node:path';
import { plural, table } from '../core/text.js';
import { ADMIN_KUBECONFIG, type PkiResult } from './ensure.js';
import type { PkiEntry, PkiStatus } from './types.js';

const STATUSES: PkiStatus[] = ['created', 'renewed', 'removed', 'kept'];

function counts(entries: PkiEntry[]): Record<PkiStatus, number> {
  const c = { created: 0, renewed: 0, removed: 0, kept: 0 };
  for (const e of entries) c[e.status]++;
  return c;
}

export function pkiText(lab: string, r: PkiResult): string {
  // SANs last: the apiserver's list is long, and only the last column may run on.
  const rows = [['NAME', 'STATUS', 'NOT AFTER', 'KEY ON', 'SUBJECT', 'SANS']];
  for (const e of r.entries) {
    rows.push([e.name, e.status, e.notAfter?.slice(0, 10) ?? '-', e.kind === 'ca' ? '(stays here)' : e.keyHosts.join(',') || '-', e.subject || '-', e.sans.join(',') || '-']);
  }
  const c = counts(r.entries);
  const out = [`PKI of lab ${lab}: ${r.dir}`, table(rows)];
  for (const e of r.entries) if (e.reason && e.status !== 'created') out.push(`${e.name}: ${e.status}: ${e.reason}`);
  out.push(`${plural(r.entries.length, 'entry', 'entries')}: ${STATUSES.map((s) => `${c[s]} ${s}`).join(', ')}; kubectl --kubeconfig ${path.join(r.dir, ADMIN_KUBECONFIG)}`);
  return out.join('\n') + '\n';
}

export function pkiJson(lab: string, r: PkiResult): unknown {
  return { lab, legacy: false, dir: r.dir, adminKubeconfig: path.join(r.dir, ADMIN_KUBECONFIG), summary: counts(r.entries), entries: r.entries, changedFiles: r.changed };
}
