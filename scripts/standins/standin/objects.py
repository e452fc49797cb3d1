# The lab as Kubernetes API objects (v1 JSON), built from /etc/labsmith/cluster.json, which
# labsmith renders from the address plan (src/emulate/standin-data.ts). Read-only: the lab file
# is the only source of pods and services. What kubelets report (a pod's phase and address, a
# node's readiness) is merged in, so `kubectl get pods -o wide` shows what runs, not the plan.
import json
import os
import threading
import time

START = time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime())


class Cluster(object):
    def __init__(self, path, git_version):
        self.path = path
        self.git_version = git_version
        self.mtime = None
        self.data = {'pods': [], 'services': [], 'nodes': [], 'kubernetes': {}}
        self.version = '0'
        self.reports = {}       # (namespace, pod) -> status reported by a kubelet
        self.node_seen = {}     # node name -> last report time
        self.lock = threading.Lock()

    def load(self):
        """Re-reads the data file when it changed; raises on a file that cannot be read."""
        st = os.stat(self.path)
        if st.st_mtime_ns == self.mtime:
            return
        with open(self.path) as f:
            data = json.load(f)
        with self.lock:
            self.data, self.mtime = data, st.st_mtime_ns
            self.version = str(st.st_mtime_ns // 1000)

    @property
    def legacy(self):
        return self.data.get('kubernetes', {}).get('dialect') == 'legacy'

    def node_key(self, pod_or_node):
        # In the 2014-15 dialect minions were named by their address (--machines, the
        # kubelet's --hostname_override); from 1.x by their name.
        return pod_or_node['nodeAddress' if 'nodeAddress' in pod_or_node else 'address'] if self.legacy else pod_or_node['node' if 'node' in pod_or_node else 'name']

    # ------------------------------------------------------------------ objects
    def pods(self):
        out = []
        for p in self.data.get('pods', []):
            ns = p.get('namespace', 'default')
            rep = self.reports.get((ns, p['name']))
            # The plan's address rides along, so the kubelet can hold the pod to it.
            status = {'phase': 'Pending', 'hostIP': p.get('nodeAddress'), 'labsmithPlannedIP': p.get('ip')}
            if rep:
                status.update((k, v) for k, v in rep.items() if not k.startswith('_'))
            out.append({
                'kind': 'Pod', 'apiVersion': 'v1',
                'metadata': {'name': p['name'], 'namespace': ns, 'uid': p.get('uid', ''), 'labels': p.get('labels', {}),
                             'resourceVersion': self.version, 'creationTimestamp': START},
                'spec': {'nodeName': self.node_key(p), 'containers': [
                    {'name': c['name'], 'image': c['image'], 'ports': [
                        {'containerPort': q['containerPort'], 'protocol': q.get('protocol', 'TCP')} for q in c.get('ports', [])]}
                    for c in p.get('containers', [])]},
                'status': status,
            })
        return out

    def services(self):
        k = self.data.get('kubernetes', {})
        out = []
        if k.get('apiserverServiceIP'):
            out.append(self._service('kubernetes', 'default', {'type': 'ClusterIP', 'clusterIP': k['apiserverServiceIP'],
                                                               'ports': [{'name': 'https', 'port': 443, 'targetPort': k.get('apiserverPort', 443), 'protocol': 'TCP'}]},
                                     {'component': 'apiserver', 'provider': 'kubernetes'}))
        for s in self.data.get('services', []):
            spec = {'type': s.get('type', 'ClusterIP'), 'clusterIP': s['clusterIP'], 'selector': s.get('selector', {}),
                    'ports': [dict((key, q[key]) for key in ('name', 'port', 'targetPort', 'protocol', 'nodePort') if key in q) for q in s.get('ports', [])]}
            out.append(self._service(s['name'], s.get('namespace', 'default'), spec, s.get('labels', {})))
        return out

    def _service(self, name, ns, spec, labels):
        return {'kind': 'Service', 'apiVersion': 'v1',
                'metadata': {'name': name, 'namespace': ns, 'labels': labels, 'resourceVersion': self.version, 'creationTimestamp': START},
                'spec': spec, 'status': {'loadBalancer': {}}}

    def endpoints(self):
        out = []
        for s in self.data.get('services', []):
            eps = s.get('endpoints', [])
            ports = [{'port': q.get('targetPort', q['port']), 'protocol': q.get('protocol', 'TCP')} for q in s.get('ports', [])]
            subsets = [{'addresses': [{'ip': e['ip'], 'nodeName': e.get('node'), 'targetRef': {'kind': 'Pod', 'name': e['pod'], 'namespace': s.get('namespace', 'default')}} for e in eps],
                        'ports': ports}] if eps else []
            out.append({'kind': 'Endpoints', 'apiVersion': 'v1',
                        'metadata': {'name': s['name'], 'namespace': s.get('namespace', 'default'), 'resourceVersion': self.version, 'creationTimestamp': START},
                        'subsets': subsets})
        return out

    def nodes(self):
        out = []
        now = time.time()
        # Masters run no kubelet in these labs, so only minions are nodes.
        for n in [n for n in self.data.get('nodes', []) if n.get('role') != 'master']:
            name = self.node_key(n)
            seen = self.node_seen.get(name)
            ready = 'True' if seen and now - seen < 40 else 'Unknown'
            out.append({'kind': 'Node', 'apiVersion': 'v1',
                        'metadata': {'name': name, 'labels': {'kubernetes.io/hostname': n['name']},
                                     'resourceVersion': self.version, 'creationTimestamp': START},
                        'spec': dict({'podCIDR': n['podCidr']} if n.get('podCidr') else {}),
                        'status': {'addresses': [{'type': 'InternalIP', 'address': n['address']}, {'type': 'Hostname', 'address': n['name']}],
                                   'conditions': [{'type': 'Ready', 'status': ready}],
                                   'nodeInfo': {'kubeletVersion': self.git_version}}})
        return out

    def namespaces(self):
        names = sorted(set(['default', 'kube-system', 'kube-public'] + [o['metadata']['namespace'] for o in self.pods() + self.services()]))
        return [{'kind': 'Namespace', 'apiVersion': 'v1', 'metadata': {'name': n, 'creationTimestamp': START}, 'status': {'phase': 'Active'}} for n in names]

    # ------------------------------------------------------------------ kubelet reports
    def report(self, node, pods):
        """A kubelet's view of its pods: {pod name: {phase, podIP, ...}} (namespace default)."""
        with self.lock:
            self.node_seen[node] = time.time()
            for (ns, name), _ in list(self.reports.items()):
                if self.reports[(ns, name)].get('_node') == node and name not in pods:
                    del self.reports[(ns, name)]
            for name, st in pods.items():
                st = dict(st)
                st['_node'] = node
                self.reports[(st.pop('namespace', 'default'), name)] = st


def strip_private(obj):
    if isinstance(obj, dict):
        return dict((k, strip_private(v)) for k, v in obj.items() if not k.startswith('_'))
    if isinstance(obj, list):
        return [strip_private(x) for x in obj]
    return obj


def select(objs, field_selector, label_selector):
    """fieldSelector spec.nodeName=X / metadata.name=X and labelSelector k=v,k2=v2 (equality only)."""
    def fields(o):
        return {'spec.nodeName': o.get('spec', {}).get('nodeName'), 'metadata.name': o['metadata']['name'],
                'metadata.namespace': o['metadata'].get('namespace')}
    out = []
    for o in objs:
        ok = True
        for term in filter(None, (field_selector or '').split(',')):
            k, op, v = _term(term)
            if k not in fields(o) or ((fields(o)[k] == v) != (op == '=')):
                ok = False
        for term in filter(None, (label_selector or '').split(',')):
            k, op, v = _term(term)
            if (o['metadata'].get('labels', {}).get(k) == v) != (op == '='):
                ok = False
        if ok:
            out.append(o)
    return out


def _term(term):
    if '!=' in term:
        k, _, v = term.partition('!=')
        return k.strip(), '!=', v.strip()
    k, _, v = term.replace('==', '=').partition('=')
    return k.strip(), '=', v.strip()


# ---------------------------------------------------------------------- kubectl's tables

def _col(name, kind='string', priority=0, fmt=''):
    return {'name': name, 'type': kind, 'format': fmt, 'description': '', 'priority': priority}


def _age(_):
    s = int(time.time() - time.mktime(time.strptime(START, '%Y-%m-%dT%H:%M:%SZ')) + time.timezone)
    return '%dd' % (s // 86400) if s >= 86400 else '%dh' % (s // 3600) if s >= 3600 else '%dm' % (s // 60) if s >= 60 else '%ds' % max(s, 0)


def _ports(svc):
    out = []
    for p in svc['spec'].get('ports', []):
        out.append('%d%s/%s' % (p['port'], ':%d' % p['nodePort'] if p.get('nodePort') else '', p.get('protocol', 'TCP')))
    return ','.join(out) or '<none>'


TABLES = {
    'pods': ([_col('Name', fmt='name'), _col('Ready'), _col('Status'), _col('Restarts', 'integer'), _col('Age'),
              _col('IP', priority=1), _col('Node', priority=1), _col('Nominated Node', priority=1), _col('Readiness Gates', priority=1)],
             lambda o: [o['metadata']['name'],
                        '%d/%d' % (o['status'].get('readyContainers', 0), len(o['spec']['containers'])),
                        o['status'].get('phase', 'Pending'), 0, _age(o), o['status'].get('podIP') or '<none>',
                        o['spec'].get('nodeName') or '<none>', '<none>', '<none>']),
    'services': ([_col('Name', fmt='name'), _col('Type'), _col('Cluster-IP'), _col('External-IP'), _col('Port(s)'), _col('Age'),
                  _col('Selector', priority=1)],
                 lambda o: [o['metadata']['name'], o['spec']['type'], o['spec']['clusterIP'], '<none>', _ports(o), _age(o),
                            ','.join('%s=%s' % kv for kv in sorted(o['spec'].get('selector', {}).items())) or '<none>']),
    'nodes': ([_col('Name', fmt='name'), _col('Status'), _col('Roles'), _col('Age'), _col('Version'), _col('Internal-IP', priority=1)],
              lambda o: [o['metadata']['name'], 'Ready' if o['status']['conditions'][0]['status'] == 'True' else 'NotReady',
                         ','.join(k.split('/', 1)[1] for k in o['metadata']['labels'] if k.startswith('node-role.')) or '<none>',
                         _age(o), o['status']['nodeInfo']['kubeletVersion'], o['status']['addresses'][0]['address']]),
    'namespaces': ([_col('Name', fmt='name'), _col('Status'), _col('Age')],
                   lambda o: [o['metadata']['name'], 'Active', _age(o)]),
    'endpoints': ([_col('Name', fmt='name'), _col('Endpoints'), _col('Age')],
                  lambda o: [o['metadata']['name'], ','.join('%s:%d' % (a['ip'], p['port']) for s in o['subsets'] for a in s['addresses'] for p in s['ports']) or '<none>', _age(o)]),
}


def table(resource, objs, version):
    cols, row = TABLES[resource]
    return {'kind': 'Table', 'apiVersion': 'meta.k8s.io/v1', 'metadata': {'resourceVersion': version}, 'columnDefinitions': cols,
            'rows': [{'cells': row(o), 'object': {'kind': 'PartialObjectMetadata', 'apiVersion': 'meta.k8s.io/v1', 'metadata': o['metadata']}} for o in objs]}
