// Lab texts for the manifests tests: the example labs, and service-routes at other releases.
import { readFileSync } from 'node:fs';
import { edit, WEB_POD_CONTAINERS } from '../helpers/lab-text.js';
import { exampleLab } from '../helpers/paths.js';

export const NODEPORT = readFileSync(exampleLab('nodeport'), 'utf8');
export const SERVICE_ROUTES = readFileSync(exampleLab('service-routes'), 'utf8');

/** service-routes (CentOS 7 hosts, cgroup v1) at another release; userspace before 1.2. */
export function atRelease(version: string): string {
  const text = edit(SERVICE_ROUTES, 'version: "1.11"', `version: "${version}"`);
  return Number(version.split('.')[1]) < 2 ? edit(text, 'proxyMode: iptables', 'proxyMode: userspace') : text;
}

/** The nodeport lab with the long forms: namespaces, a two-port LoadBalancer service with an
 * external IP, a pod of two containers. */
export const LONG_FORMS = NODEPORT.replace(/services:\n[\s\S]*$/, [
  'services:',
  '  - name: web',
  '    namespace: shop',
  '    type: LoadBalancer',
  '    selector: { app: web }',
  '    externalIPs: [198.51.100.7]',
  '    loadBalancerIP: 198.51.100.20',
  '    ports:',
  '      - { name: p80, port: 80, targetPort: 80 }',
  '      - { name: p8080, port: 8080, targetPort: 8080 }',
  'workloads:',
  '  - name: webpod',
  '    namespace: shop',
  '    replicas: 2',
  '    labels: { app: web }',
  ...WEB_POD_CONTAINERS,
  '',
].join('\n'));
