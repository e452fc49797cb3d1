// npm run bench: speed and memory figures, printed, never asserted. The emulated-lab parts
// need root and the packages of scripts/setup.sh.
import { needsPki, placeholderPki } from '../src/pki/index.js';
import { renderLab } from '../src/render/index.js';
import { benchApply } from './apply.js';
import { benchEmulate } from './emulate.js';
import { benchOffline } from './offline.js';
import { benchPki } from './pki.js';
import { benchProxy } from './proxy.js';
import { benchStartup } from './startup.js';
import { benchVerify } from './verify.js';

// `npm run bench -- startup verify` runs only those sections; no argument runs them all.
const wanted = new Set(process.argv.slice(2));
const section = async (name: string, title: string, work: () => unknown) => {
  if (wanted.size && !wanted.has(name)) return;
  console.log(title);
  console.table(await work());
};

await section('startup', 'whole-process start (median ms; ratio to node -e 0)', () => benchStartup());
// Render alone: the placeholder PKI stands in for the lab's (its generation is timed below).
await section('offline', 'validate + render of generated labs (ms, MiB)', () => benchOffline([100, 1000, 10000], (lab) => renderLab(lab, needsPki(lab) ? { pki: placeholderPki(lab) } : {})));
await section('pki', 'the lab PKI: first run (generate, issue, write) and second (read, check, keep) (ms)', () => benchPki([10, 100, 1000]));
await section('proxy', 'kube-proxy rule rendering, iptables mode: services of 10 endpoints, program and both forms (ms)', () => benchProxy([100, 1000, 10000]));
await section('emulate', 'emulate up and down (s, MiB)', () => benchEmulate());
await section('apply', 'apply on the emulated lab: cold and no-op (s)', () => benchApply());
await section('verify', 'verify on the emulated lab (s)', () => benchVerify());
