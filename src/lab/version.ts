// Kubernetes versions and what each one allows. "legacy" is the 2014-15 dialect.
import type { Dialect } from './types.js';
import type { OsFamily, ProxyMode } from './schema.js';

export interface Release {
  version: string;
  dialect: Dialect;
  release: [number, number];
}

export function parseVersion(raw: string): Release | undefined {
  const text = raw.trim();
  if (text === 'legacy') return { version: 'legacy', dialect: 'legacy', release: [0, 0] };
  const m = /^v?1\.(\d{1,2})(\.\d+)?$/.exec(text);
  if (!m) return undefined;
  return { version: text.replace(/^v/, ''), dialect: 'modern', release: [1, Number(m[1])] };
}

/**
 * Why a version written as a YAML number is refused. Versions are quoted, always: YAML reads
 * an unquoted 1.10 as the number 1.1, which would silently mean Kubernetes 1.1.
 * source is the text as written, value the number YAML made of it.
 */
export function unquotedVersion(source: string, value: number): { message: string; hint: string } {
  const quoted = `quote it: version: "${source}"`;
  if (!parseVersion(source)) return { message: `unknown version ${source}`, hint: 'write "legacy" or a release such as "1.28" (quoted)' };
  if (source !== String(value)) return { message: `${source} unquoted is the YAML number ${value}, not version ${source}`, hint: quoted };
  return { message: `${source} unquoted is a YAML number; write versions quoted (unquoted, 1.10 would be read as 1.1)`, hint: quoted };
}

export function atLeast(r: Release, minor: number): boolean {
  return r.dialect === 'modern' && r.release[1] >= minor;
}

export function defaultProxyMode(r: Release): ProxyMode {
  // iptables became kube-proxy's default in 1.2.
  return r.dialect === 'legacy' || !atLeast(r, 2) ? 'userspace' : 'iptables';
}

/** Why a proxy mode cannot run on a release, or undefined when it can. */
export function proxyModeProblem(mode: ProxyMode, r: Release): { message: string; hint: string } | undefined {
  if (mode === 'userspace' && atLeast(r, 26)) {
    return { message: `proxyMode userspace was removed in Kubernetes 1.26 (this lab says ${r.version})`, hint: 'use iptables or ipvs, or a version before 1.26' };
  }
  if (mode === 'ipvs' && !atLeast(r, 8)) {
    return { message: `proxyMode ipvs does not exist before Kubernetes 1.8 (this lab says ${r.version})`, hint: 'use userspace or iptables, or version 1.8 or later' };
  }
  if (mode === 'iptables' && !atLeast(r, 1) && r.dialect === 'legacy') {
    return { message: 'proxyMode iptables arrived with Kubernetes 1.1, after the legacy dialect', hint: 'use userspace, or a version such as "1.11"' };
  }
  return undefined;
}

/**
 * Why a kubelet of this release cannot run on this host family as it boots by default, or
 * undefined. Kubelet support for the unified cgroup v2 hierarchy arrived with KEP-2254 (GA in
 * 1.25); Debian 11+ and Ubuntu 21.10+ boot with cgroup v2, CentOS 7 with v1. A warning, not an
 * error: such a host still works booted with systemd.unified_cgroup_hierarchy=0, and
 * preflight refuses a cgroup v2 host at run time.
 */
export function cgroupV2Problem(r: Release, os: OsFamily): { message: string; hint: string } | undefined {
  if (r.dialect !== 'modern' || atLeast(r, 25) || os === 'centos7') return undefined;
  return {
    message: `the kubelet of Kubernetes ${r.version} needs cgroup v1, but ${os} boots with cgroup v2 (the kubelet supports v2 from 1.25)`,
    hint: 'use os: centos7, boot the minions with systemd.unified_cgroup_hierarchy=0, or use Kubernetes 1.25 or later',
  };
}
