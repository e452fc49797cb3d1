// The stand-ins accept exactly the flags of the lab's release: every command line labsmith
// renders, for every example lab and for synthetic labs of other releases, parses (positive
// control); the same line with one flag misspelt is refused with pflag's message and exit
// status 2, so a typo in a template fails in the emulated lab as on a real host (negative
// control). Flags that came or went between releases are refused where they do not exist.
// LABSMITH_STANDIN_DRY_RUN=1 makes a stand-in stop after its checks of the command line.
import test from 'ava';
import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { Lab } from '../../src/lab/types.js';
import { exampleLabs } from '../helpers/golden.js';
import { edit, readOk } from '../helpers/lab-text.js';
import { exampleLab, ROOT } from '../helpers/paths.js';
import { execLines, makeBinDir, pool, runStandin, type ExecLine } from './standins-helpers.js';

const DRY = { LABSMITH_STANDIN_DRY_RUN: '1' };

// ava runs this file's tests at once; two cores run at most three stand-ins at a time.
let running = 0;
const waiting: (() => void)[] = [];
async function limited(bin: string, args: string[], env: NodeJS.ProcessEnv) {
  if (running >= 3) await new Promise<void>((resolve) => waiting.push(resolve));
  running++;
  try {
    return await runStandin(bin, args, env);
  } finally {
    running--;
    waiting.shift()?.();
  }
}
const NODEPORT = readFileSync(exampleLab('nodeport'), 'utf8');

/** The nodeport lab (modern, cri-dockerd from 1.24) at another release. */
function nodeportAt(version: string): Lab {
  return readOk(edit(NODEPORT, 'version: "1.28"', `version: "${version}"`)).lab;
}

const LABS: { name: string; lab: Lab }[] = [
  ...exampleLabs(),
  ...['1.11', '1.19', '1.20', '1.23', '1.24', '1.26'].map((v) => ({ name: `nodeport at ${v}`, lab: nodeportAt(v) })),
];

function binPath(dir: string, line: ExecLine): string {
  return path.join(dir, line.binary);
}

/** The line with its last flag's name misspelt (a letter doubled): --etcd_servers -> --etcd_serverss. */
function misspell(line: ExecLine): { args: string[]; flag: string } {
  const i = line.args.length - 1;
  const [name, ...value] = line.args[i]!.split('=');
  const wrong = `${name}${name!.slice(-1)}`;
  const args = [...line.args];
  args[i] = [wrong, ...value].join('=');
  return { args, flag: wrong };
}

for (const { name, lab } of LABS) {
  test(`stand-ins accept every rendered command line of lab ${name} and refuse each one misspelt`, async (t) => {
    const all = execLines(lab);
    const binaries = new Set(all.map((l) => l.binary));
    // Lines that differ only in their values (one per node) use the same flags: one line of
    // each shape runs.
    const seen = new Set<string>();
    const lines = all.filter((l) => {
      const shape = [l.binary, ...l.args.map((a) => a.split('=')[0])].join(' ');
      return !seen.has(shape) && seen.add(shape);
    });
    for (const b of ['kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kubelet', 'kube-proxy']) t.true(binaries.has(b), `${name} renders ${b}`);
    const dir = makeBinDir(lab);
    try {
      await pool(lines, 2, async (line) => {
        const ok = await limited(binPath(dir, line), line.args, DRY);
        t.is(ok.code, 0, `${line.host} ${line.unit}: ${line.args.join(' ')}\n${ok.stderr}`);
        t.regex(ok.stdout, new RegExp(`^ok ${line.binary}`), `${line.host} ${line.unit}`);
        const bad = misspell(line);
        const refused = await limited(binPath(dir, line), bad.args, DRY);
        t.is(refused.code, 2, `${line.host} ${line.unit} with ${bad.flag}: exit ${refused.code}\n${refused.stdout}${refused.stderr}`);
        t.true(refused.stderr.includes(`unknown flag: ${bad.flag}`), refused.stderr);
        t.false(refused.stdout.includes('ok'), 'a refused line never reaches the checks');
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    if (lab.kubernetes.dialect === 'modern' && lab.kubernetes.release[1] >= 24) t.true(binaries.has('cri-dockerd'), 'cri-dockerd from 1.24');
  });
}

/** One rendered line of a lab, by binary; the args edited by fn. */
async function runEdited(lab: Lab, binary: string, fn: (args: string[]) => string[], env: NodeJS.ProcessEnv = DRY) {
  const line = execLines(lab).find((l) => l.binary === binary)!;
  const dir = makeBinDir(lab);
  try {
    return await runStandin(path.join(dir, binary), fn(line.args), env);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const k101 = () => exampleLabs().find((l) => l.name === 'kubernetes-101')!.lab;

test('legacy: the dashed spellings of 1.x are unknown flags; underscores are the only ones', async (t) => {
  const r = await runEdited(k101(), 'kube-apiserver', (a) => a.map((x) => x.replace('--etcd_servers', '--etcd-servers')));
  t.is(r.code, 2);
  t.true(r.stderr.includes('unknown flag: --etcd-servers'), r.stderr);
  const k = await runEdited(k101(), 'kubelet', (a) => a.map((x) => x.replace('--hostname_override', '--hostname-override')));
  t.is(k.code, 2);
  t.true(k.stderr.includes('unknown flag: --hostname-override'), k.stderr);
});

test('modern: an underscore is converted with a warning, as component-base does', async (t) => {
  const r = await runEdited(nodeportAt('1.28'), 'kube-apiserver', (a) => a.map((x) => x.replace('--etcd-servers', '--etcd_servers')));
  t.is(r.code, 0, r.stderr);
  t.true(r.stderr.includes('using an underscore in a flag name is not supported. etcd_servers has been converted to etcd-servers.'), r.stderr);
});

test('flags that came or went between releases are refused where they do not exist', async (t) => {
  const klog = (v: string) => runEdited(nodeportAt(v), 'kube-scheduler', (a) => [...a, '--logtostderr=true']);
  t.is((await klog('1.11')).code, 0, 'klog flags exist in 1.11');
  const gone = await klog('1.28');
  t.is(gone.code, 2, 'klog flags were removed in 1.26');
  t.true(gone.stderr.includes('Error: unknown flag: --logtostderr'), gone.stderr);
  const plugin = (v: string) => runEdited(nodeportAt(v), 'kubelet', (a) => [...a, '--network-plugin=cni']);
  t.is((await plugin('1.23')).code, 0, 'dockershim flags exist up to 1.23');
  t.is((await plugin('1.24')).code, 2, 'and are gone with dockershim in 1.24');
  const insecure = (v: string) => runEdited(nodeportAt(v), 'kube-apiserver', (a) => [...a, '--insecure-port=0']);
  t.is((await insecure('1.23')).code, 0);
  t.is((await insecure('1.24')).code, 2, 'the insecure port flags were removed in 1.24');
});

test('typed flags are checked as pflag checks them, and semantic checks run as the real binary makes them', async (t) => {
  const port = await runEdited(k101(), 'kube-apiserver', (a) => a.map((x) => (x.startsWith('--port=') ? '--port=eighty' : x)));
  t.is(port.code, 2);
  t.true(port.stderr.includes('invalid argument "eighty" for "--port" flag'), port.stderr);
  const portal = await runEdited(k101(), 'kube-apiserver', (a) => a.filter((x) => !x.startsWith('--portal_net')));
  t.not(portal.code, 0);
  t.true(portal.stderr.includes('No -portal_net specified'), portal.stderr);
  const mode = await runEdited(nodeportAt('1.28'), 'kube-proxy', (a) => a.map((x) => x.replace('--proxy-mode=iptables', '--proxy-mode=iptable')));
  t.not(mode.code, 0);
  t.true(mode.stderr.includes('Invalid value: "iptable"'), mode.stderr);
  const issuer = await runEdited(nodeportAt('1.28'), 'kube-apiserver', (a) => a.filter((x) => !x.startsWith('--service-account-issuer')));
  t.not(issuer.code, 0, 'service-account-issuer is required from 1.20');
  t.true(issuer.stderr.includes('service-account-issuer is a required flag'), issuer.stderr);
});

test('--version prints the lab\'s release; a missing release file is a clear error', async (t) => {
  const legacy = await runEdited(k101(), 'kube-apiserver', (a) => [...a, '--version'], {});
  t.is(legacy.code, 0, legacy.stderr);
  t.is(legacy.stdout.trim(), 'Kubernetes v0.10.0-labsmith-standin');
  const modern = await runEdited(nodeportAt('1.24'), 'kubelet', (a) => [...a, '--version'], {});
  t.is(modern.stdout.trim(), 'Kubernetes v1.24.0-labsmith-standin');
  const bare = await runStandin(path.join(ROOT, 'scripts', 'standins', 'kubelet'), ['--version']);
  t.is(bare.code, 2);
  t.true(bare.stderr.includes('.labsmith-standin.json'), bare.stderr);
  t.true(bare.stderr.includes('labsmith installs it beside the stand-ins'), bare.stderr);
});
