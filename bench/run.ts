// npm run bench: speed and memory figures, printed, never asserted. The emulated-lab parts
// need root and the packages of scripts/setup.sh.
import { needsPki, placeholderPki } from '../src/pki/index.js';
import { renderLab } from '../src/render/index.js';
import { benchApply } from './apply.js';
import { benchEmulate } from './emulate.js';
import { benchOffline } from './offline.js';
import { benchPki } from './pki.js';
import { benchVerify } from './verify.js';

console.log('validate + render of generated labs (ms, MiB)');
// Render alone: the placeholder PKI stands in for the lab's (its generation is timed below).
console.table(await benchOffline([100, 1000, 10000], (lab) => renderLab(lab, needsPki(lab) ? { pki: placeholderPki(lab) } : {})));
console.log('the lab PKI: first run (generate, issue, write) and second (read, check, keep) (ms)');
console.table(await benchPki([10, 100, 1000]));
console.log('emulate up and down (s, MiB)');
console.table(await benchEmulate());
console.log('apply on the emulated lab: cold and no-op (s)');
console.table(await benchApply());
console.log('verify on the emulated lab (s)');
console.table(await benchVerify());
