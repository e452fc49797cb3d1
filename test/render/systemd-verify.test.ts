// Every rendered unit of every example lab passes `systemd-analyze verify`.
//
// verify needs what the units name to exist: the units they order against, and the
// executables of ExecStart=/ExecReload=. So each host gets a scratch root holding a copy of
// this machine's /usr/lib/systemd/system (targets such as multi-user.target), the host's
// rendered files at their paths (EnvironmentFile= and the units themselves), and stub
// executables where the lab's binDir and the distribution put the binaries; then
//   systemd-analyze verify --root=ROOT --man=no --generators=no /etc/systemd/system/<unit>...
// (no systemd as PID 1 is needed). Anything on stderr fails the test too: verify reports
// unknown keys and bad values as warnings with exit status 0.
import test from 'ava';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { HostRender } from '../../src/render/types.js';
import { exampleLabs, renderPlaceholder } from '../helpers/golden.js';
import { runTool } from '../helpers/tools.js';

const SYSTEM_UNITS = '/usr/lib/systemd/system';
const KUBE_BINARIES = ['etcd', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kubelet', 'kube-proxy'];
const DISTRO_BINARIES = ['/usr/bin/docker', '/usr/bin/dockerd', '/usr/sbin/dockerd', '/usr/bin/cri-dockerd', '/bin/kill', '/usr/sbin/iptables', '/usr/sbin/iptables-restore'];

function isUnit(p: string): boolean {
  return /^\/etc\/systemd\/system\/[^/]+\.(service|socket)$/.test(p);
}

function scratchRoot(host: HostRender, binDir: string, stubs = true): string {
  if (!existsSync(SYSTEM_UNITS)) throw new Error(`${SYSTEM_UNITS} is missing: this test needs systemd's units (apt-get install systemd)`);
  const root = mkdtempSync(path.join(tmpdir(), `labsmith-verify-${host.host}-`));
  mkdirSync(path.join(root, 'usr/lib/systemd'), { recursive: true });
  cpSync(SYSTEM_UNITS, path.join(root, 'usr/lib/systemd/system'), { recursive: true, verbatimSymlinks: true });
  for (const f of host.files) {
    const local = path.join(root, f.path);
    mkdirSync(path.dirname(local), { recursive: true });
    writeFileSync(local, f.content, { mode: f.mode });
  }
  if (stubs) {
    for (const bin of [...KUBE_BINARIES.map((b) => `${binDir}/${b}`), ...DISTRO_BINARIES]) {
      const local = path.join(root, bin);
      mkdirSync(path.dirname(local), { recursive: true });
      writeFileSync(local, '#!/bin/sh\nexit 0\n');
      chmodSync(local, 0o755);
    }
  }
  return root;
}

function verify(root: string, units: string[]) {
  return runTool('systemd-analyze', ['verify', `--root=${root}`, '--man=no', '--generators=no', ...units], 'systemd');
}

for (const { name, lab } of exampleLabs()) {
  test(`systemd-analyze verify passes every unit of lab ${name}`, (t) => {
    let checked = 0;
    for (const host of renderPlaceholder(lab)) {
      const units = host.files.filter((f) => isUnit(f.path)).map((f) => f.path);
      if (!units.length) continue;
      const root = scratchRoot(host, lab.kubernetes.binDir);
      try {
        const r = verify(root, units);
        t.is(r.code, 0, `${host.host}: systemd-analyze verify exited ${r.code}:\n${r.stderr}${r.stdout}`);
        t.is(r.stderr.trim(), '', `${host.host}: systemd-analyze verify complained:\n${r.stderr}`);
        checked += units.length;
      } finally {
        rmSync(root, { recursive: true, force: true });
      }
    }
    t.true(checked >= 4, `expected units to verify in lab ${name}, found ${checked}`);
  });
}

test('negative control: verify catches a bad directive and a missing binary', (t) => {
  const { lab } = exampleLabs().find((l) => l.name === 'kubernetes-101')!;
  const master = renderPlaceholder(lab).find((h) => h.role === 'master')!;
  const broken: HostRender = {
    ...master,
    files: master.files.map((f) => (f.path.endsWith('kube-apiserver.service') ? { ...f, content: f.content.replace('RestartSec=5', 'RestartSec=5\nRestartAfterLunch=yes') } : f)),
  };
  let root = scratchRoot(broken, lab.kubernetes.binDir);
  try {
    const r = verify(root, ['/etc/systemd/system/kube-apiserver.service']);
    t.regex(r.stderr, /Unknown key 'RestartAfterLunch'/);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
  root = scratchRoot(master, lab.kubernetes.binDir, false);
  try {
    const r = verify(root, ['/etc/systemd/system/kube-apiserver.service']);
    t.not(r.code, 0);
    t.regex(r.stderr, /\/opt\/kubernetes\/kube-apiserver is not executable/);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
