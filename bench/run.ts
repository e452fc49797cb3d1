// npm run bench: speed and memory figures, printed, never asserted.
import { renderLab } from '../src/render/index.js';
import { benchOffline } from './offline.js';

const rows = await benchOffline([100, 1000, 10000], renderLab);
console.log('validate + render of generated labs');
console.table(rows);
