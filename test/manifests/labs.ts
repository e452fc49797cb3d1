// Lab texts for the manifests tests: the example labs, and service-routes at other releases.
import { readFileSync } from 'node:fs';
import { edit } from '../helpers/lab-text.js';
import { exampleLab } from '../helpers/paths.js';

export const NODEPORT = readFileSync(exampleLab('nodeport'), 'utf8');
export const SERVICE_ROUTES = readFileSync(exampleLab('service-routes'), 'utf8');

/** service-routes (CentOS 7 hosts, cgroup v1) at another release; userspace before 1.2. */
export function atRelease(version: string): string {
  const text = edit(SERVICE_ROUTES, 'version: "1.11"', `version: "${version}"`);
  return Number(version.split('.')[1]) < 2 ? edit(text, 'proxyMode: iptables', 'proxyMode: userspace') : text;
}
