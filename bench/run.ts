// npm run bench: speed and memory figures, printed, never asserted. The emulated-lab parts
// need root and the packages of scripts/setup.sh.
import { renderLab } from '../src/render/index.js';
import { benchApply } from './apply.js';
import { benchEmulate } from './emulate.js';
import { benchOffline } from './offline.js';
import { benchProxy } from './proxy.js';
import { benchVerify } from './verify.js';

console.log('validate + render of generated labs (ms, MiB)');
console.table(await benchOffline([100, 1000, 10000], renderLab));
console.log('kube-proxy rule rendering, iptables mode: services of 10 endpoints, program and both forms (ms)');
console.table(benchProxy([100, 1000, 10000]));
console.log('emulate up and down (s, MiB)');
console.table(await benchEmulate());
console.log('apply on the emulated lab: cold and no-op (s)');
console.table(await benchApply());
console.log('verify on the emulated lab (s)');
console.table(await benchVerify());
