# Stand-in for the kubelet: runs this node's pods on docker the way the material describes pods.
#
# It asks the apiserver for the pods whose node is this kubelet's (legacy: --api_servers, plain
# HTTP, the node known by its address, --hostname_override; modern: the server and client
# certificate of --kubeconfig), and for each pod, in the plan's order:
#   - one pause container (the pod's "sandbox") on docker's default bridge: it holds the pod's
#     network namespace, so the pod's address comes from docker0;
#   - each of the pod's containers joined to it (NetworkMode container:<pause>), serving its
#     ports with a reply that names the pod, the container and the peer it saw
#     (standin/podserver.py).
# Images are built offline (standin/images.py). Docker hands out docker0's addresses lowest
# free first, so pods created in plan order on a docker without strangers get the plan's
# addresses; the kubelet checks every pod's address against the plan, reports a difference
# loudly (log, /healthz, /run/labsmith/kubelet.json, the pod's status at the apiserver) and
# re-creates the pod once the planned address is free again. Dead pods (after a docker
# restart) are removed and created again in order; a dead container is re-created in its pod.
# From 1.24 the kubelet reaches docker through cri-dockerd's socket (--container-runtime-
# endpoint), as the real one does; the cri-dockerd stand-in relays the Docker API there.
# Not done: volumes, probes, resource limits, events, the authenticated 10250 API of 1.x.
import hashlib
import json
import os
import socket
import sys
import threading
import time

from . import common
from .docker import Docker, DockerError
from .httpd import HTTPError, Server, json_body, request

MANAGED = 'io.labsmith.standin'
PAUSE_CMD = ['/bin/sh', '-c', "trap 'exit 0' TERM INT; while :; do sleep 3600 & wait $!; done"]
SERVER_CMD = ['/usr/bin/python3', '-IS', '/labsmith/podserver.py']
# Part of every pod's spec hash: a stand-in that runs pods differently re-creates them.
SANDBOX_VERSION = 2
API_EVERY, DOCKER_EVERY, REPAIR_AFTER = 2.0, 5.0, 10.0


def default_pause_image(dialect, minor):
    """The era's --pod-infra-container-image default (from 1.24, cri-dockerd's)."""
    if dialect == 'legacy':
        return 'kubernetes/pause:go'
    for since, image in ((26, 'registry.k8s.io/pause:3.9'), (25, 'registry.k8s.io/pause:3.8'), (24, 'k8s.gcr.io/pause:3.7'),
                         (23, 'k8s.gcr.io/pause:3.6'), (22, 'k8s.gcr.io/pause:3.5'), (20, 'k8s.gcr.io/pause:3.4.1'),
                         (18, 'k8s.gcr.io/pause:3.2'), (11, 'k8s.gcr.io/pause:3.1')):
        if minor >= since:
            return image
    return 'gcr.io/google_containers/pause-amd64:3.0'


def _unix(endpoint):
    if endpoint.startswith('unix://'):
        return endpoint[len('unix://'):]
    if endpoint.startswith('/'):
        return endpoint
    raise ValueError('unsupported endpoint %r (only unix sockets)' % endpoint)


class Settings(object):
    def __init__(self, p, dialect, minor):
        legacy = dialect == 'legacy'
        g = (lambda n, d=None: p.get(n.replace('-', '_'), d)) if legacy else p.get
        self.legacy = legacy
        self.name = g('hostname-override') or socket.gethostname().lower()
        self.node_ip = g('node-ip') or (self.name if legacy else None)
        self.address = g('address', '0.0.0.0')
        self.port = g('port', 10250)
        self.healthz = (g('healthz-bind-address', '127.0.0.1'), g('healthz-port', 10248))
        self.pause = g('pod-infra-container-image') or (p.get('network_container_image') if legacy else None) or default_pause_image(dialect, minor)
        remote = minor >= 24 or p.get('container-runtime') == 'remote'
        if not legacy and remote:
            self.runtime = p.get('container-runtime-endpoint', 'unix:///run/containerd/containerd.sock')
        else:
            self.runtime = g('docker-endpoint') or 'unix:///var/run/docker.sock'
        self.cgroup_driver = None if legacy or remote else p.get('cgroup-driver', 'cgroupfs')
        self.api_servers = [s if '://' in s else 'http://' + s for s in (g('api-servers') or [])]
        self.kubeconfig = None if legacy else p.get('kubeconfig')


class ApiClient(object):
    def __init__(self, settings):
        self.ssl = None
        if settings.kubeconfig:
            from .tls import Kubeconfig
            kc = Kubeconfig(settings.kubeconfig)
            self.servers = [kc.server.rstrip('/')]
            self.ssl = kc.ssl_context()
        else:
            self.servers = [s.rstrip('/') for s in settings.api_servers]

    def call(self, method, path, body=None):
        last = None
        for server in self.servers:
            try:
                status, _, out = request(server + path, method=method, body=body, ssl_context=self.ssl, timeout=5.0,
                                         headers={'Accept': 'application/json', 'Content-Type': 'application/json'})
                if status != 200:
                    raise HTTPError('%s %s: %d %s' % (method, server + path.split('?')[0], status, out[:200].decode('utf-8', 'replace')))
                return json.loads(out.decode())
            except (OSError, ValueError, HTTPError) as e:
                last = e
        raise HTTPError(str(last))


def pod_uid(pod):
    m = pod['metadata']
    return m.get('uid') or hashlib.sha256(('%s/%s' % (m.get('namespace'), m['name'])).encode()).hexdigest()[:32]


class Kubelet(object):
    def __init__(self, settings, log):
        self.s = settings
        self.log = log
        self.docker = Docker(_unix(settings.runtime))
        self.api = ApiClient(settings) if (settings.kubeconfig or settings.api_servers) else None
        self.images_ready = None
        self.image_id = None
        self.observed = {}
        self.pods = []               # desired, from the apiserver, in plan order
        self.pods_key = None
        self.report = {'node': settings.name, 'pods': [], 'problems': ['not synced yet']}
        self.repaired = {}           # pod -> last time it was re-created to reach its planned address
        self.attempts = {}
        self.api_error = self.docker_error = None
        self.lock = threading.Lock()

    # ------------------------------------------------------------------ the loop
    def run(self):
        last_docker = 0.0
        while True:
            changed = self.poll_api()
            if changed or time.time() - last_docker >= DOCKER_EVERY:
                self.sync()
                last_docker = time.time()
            time.sleep(API_EVERY)

    def poll_api(self):
        if self.api is None:
            return False
        q = '/api/v1/pods?fieldSelector=' + 'spec.nodeName%3D' + self.s.name
        try:
            items = self.api.call('GET', q)['items']
        except (HTTPError, KeyError, TypeError) as e:
            if str(e) != self.api_error:
                self.log.error('cannot list this node\'s pods at the apiserver (%s); pods keep running as they are' % e)
            self.api_error = str(e)
            return False
        if self.api_error:
            self.log.info('apiserver reachable again')
        self.api_error = None
        key = json.dumps([(p['metadata'], p['spec'], p['status'].get('labsmithPlannedIP')) for p in items], sort_keys=True)
        key = hashlib.sha256(key.encode()).hexdigest()
        if key == self.pods_key:
            return False
        self.pods, self.pods_key = items, key
        self.log.info('%d pod(s) for node %s: %s' % (len(items), self.s.name, ', '.join(p['metadata']['name'] for p in items) or '-'))
        return True

    def sync(self):
        try:
            self.docker.ping()
            if self.images_ready != self.pods_key:
                refs = [self.s.pause] + [c['image'] for p in self.pods for c in p['spec']['containers']]
                from .images import ensure
                self.image_id = ensure(self.docker, sorted(set(refs)), self.log)
                self.images_ready = self.pods_key
            problems = self.converge()
            if self.docker_error:
                self.log.info('docker reachable again')
            self.docker_error = None
        except (OSError, DockerError, HTTPError, ValueError) as e:
            if str(e) != self.docker_error:
                self.log.error('container runtime at %s: %s' % (self.s.runtime, e))
            self.docker_error = str(e)
            self.images_ready = None
            problems = ['container runtime: %s' % e]
        self.publish(problems)

    # ------------------------------------------------------------------ docker
    def spec_hash(self, pod):
        body = json.dumps([SANDBOX_VERSION, pod['spec']['containers'], self.s.pause, self.image_id], sort_keys=True)
        return hashlib.sha256(body.encode()).hexdigest()[:16]

    def converge(self):
        d = self.docker
        groups = {}
        for c in d.containers('%s=kubelet' % MANAGED):
            labels = c.get('Labels') or {}
            g = groups.setdefault(labels.get('io.kubernetes.pod.name'), {'sandbox': None, 'containers': {}})
            if labels.get('io.kubernetes.docker.type') == 'podsandbox':
                g['sandbox'] = c
            else:
                g['containers'][labels.get('io.kubernetes.container.name')] = c
        wanted = dict((p['metadata']['name'], p) for p in self.pods)
        for name, g in list(groups.items()):
            sb = g['sandbox']
            why = None
            if name not in wanted:
                why = 'no longer this node\'s'
            elif sb is None or sb.get('State') != 'running':
                why = 'its pause container is not running'
            elif (sb.get('Labels') or {}).get('%s.spec' % MANAGED) != self.spec_hash(wanted[name]):
                why = 'its spec changed'
            elif self.wants_repair(name, wanted[name], sb):
                why = 'its address differs from the plan and the planned one is free'
            if why:
                self.log.info('removing pod %s: %s' % (name, why))
                self.remove(g)
                del groups[name]
        problems = []
        for pod in self.pods:
            name = pod['metadata']['name']
            g = groups.get(name)
            try:
                if g is None:
                    g = groups[name] = {'sandbox': None, 'containers': {}}
                    g['sandbox'] = self.create_sandbox(pod)
                for c in pod['spec']['containers']:
                    have = g['containers'].get(c['name'])
                    if have is not None and have.get('State') == 'running':
                        continue
                    if have is not None:
                        self.log.info('container %s of pod %s is %s: re-creating it' % (c['name'], name, have.get('State')))
                        d.remove(have['Id'])
                    g['containers'][c['name']] = self.create_container(pod, c, g['sandbox'])
            except DockerError as e:
                # The whole pod goes, so the next round starts it afresh.
                self.log.error('pod %s: %s; removing the pod to start it again' % (name, e))
                problems.append('pod %s: %s' % (name, e))
                self.remove(groups.pop(name))
        self.observed = {}
        for pod in self.pods:
            name = pod['metadata']['name']
            planned = pod['status'].get('labsmithPlannedIP')
            ip = self.sandbox_ip(groups[name]['sandbox']) if name in groups else None
            self.observed[name] = ip
            if planned and ip != planned:
                problems.append('pod %s has %s, the plan says %s' % (name, ip or 'no address', planned))
        return problems

    def wants_repair(self, name, pod, sb):
        planned = pod['status'].get('labsmithPlannedIP')
        ip = self.sandbox_ip(sb)
        if not planned or ip == planned or time.time() - self.repaired.get(name, 0) < REPAIR_AFTER:
            return False
        used = set()
        for c in (self.docker.json('GET', '/networks/bridge') or {}).get('Containers', {}).values():
            used.add(c.get('IPv4Address', '').split('/')[0])
        if planned in used:
            return False
        self.repaired[name] = time.time()
        return True

    def sandbox_ip(self, sb):
        if 'NetworkSettings' in sb and 'Networks' in sb['NetworkSettings']:
            nets = sb['NetworkSettings']['Networks'] or {}
            for net in nets.values():
                if net.get('IPAddress'):
                    return net['IPAddress']
        return (sb.get('NetworkSettings') or {}).get('IPAddress') or None

    def labels(self, pod, container, kind):
        m = pod['metadata']
        return {'io.kubernetes.pod.name': m['name'], 'io.kubernetes.pod.namespace': m.get('namespace', 'default'),
                'io.kubernetes.pod.uid': pod_uid(pod), 'io.kubernetes.container.name': container,
                'io.kubernetes.docker.type': kind, MANAGED: 'kubelet', '%s.spec' % MANAGED: self.spec_hash(pod)}

    def name(self, pod, container):
        # dockershim's names: k8s_<container>_<pod>_<namespace>_<uid>_<attempt>, POD for the sandbox.
        m = pod['metadata']
        key = (m['name'], container)
        self.attempts[key] = self.attempts.get(key, -1) + 1
        return 'k8s_%s_%s_%s_%s_%d' % (container, m['name'], m.get('namespace', 'default'), pod_uid(pod), self.attempts[key])

    def create_sandbox(self, pod):
        d = self.docker
        name = pod['metadata']['name']
        cid = d.create(self.name(pod, 'POD'), {
            'Image': self.s.pause, 'Cmd': PAUSE_CMD, 'Hostname': name[:63], 'StopTimeout': 2,
            'Labels': self.labels(pod, 'POD', 'podsandbox'),
            'HostConfig': {'IpcMode': 'shareable', 'RestartPolicy': {'Name': 'no'}}})
        d.start(cid)
        sb = d.inspect(cid)
        self.log.info('pod %s: pause container %s at %s' % (name, cid[:12], self.sandbox_ip(sb)))
        return sb

    def create_container(self, pod, c, sandbox):
        d = self.docker
        m = pod['metadata']
        ports = ','.join('%d/%s' % (q['containerPort'], q.get('protocol', 'TCP')) for q in c.get('ports', []))
        labels = self.labels(pod, c['name'], 'container')
        labels['io.kubernetes.sandbox.id'] = sandbox['Id']
        cid = d.create(self.name(pod, c['name']), {
            'Image': c['image'], 'Cmd': SERVER_CMD, 'StopTimeout': 2, 'Labels': labels,
            'Env': ['LABSMITH_POD=%s' % m['name'], 'LABSMITH_NAMESPACE=%s' % m.get('namespace', 'default'),
                    'LABSMITH_CONTAINER=%s' % c['name'], 'LABSMITH_PORTS=%s' % ports],
            'HostConfig': {'NetworkMode': 'container:%s' % sandbox['Id'], 'IpcMode': 'container:%s' % sandbox['Id'],
                           'Binds': ['/usr:/usr:ro'], 'RestartPolicy': {'Name': 'no'}}})
        d.start(cid)
        self.log.info('pod %s: container %s (%s) %s joined to %s' % (m['name'], c['name'], c['image'], cid[:12], sandbox['Id'][:12]))
        return {'Id': cid, 'State': 'running'}

    def remove(self, g):
        for c in list(g['containers'].values()) + ([g['sandbox']] if g['sandbox'] is not None else []):
            try:
                self.docker.remove(c['Id'])
            except DockerError as e:
                self.log.warning('cannot remove container %s: %s' % (c['Id'][:12], e))

    # ------------------------------------------------------------------ reporting
    def publish(self, problems):
        pods, statuses = [], {}
        observed = self.observed
        for p in self.pods:
            name = p['metadata']['name']
            planned = p['status'].get('labsmithPlannedIP')
            ip = observed.get(name)
            ok = ip is not None and (not planned or ip == planned)
            pods.append({'name': name, 'ip': ip, 'plannedIP': planned, 'ok': ok})
            statuses[name] = {'namespace': p['metadata'].get('namespace', 'default'), 'phase': 'Running' if ip else 'Pending',
                              'podIP': ip, 'hostIP': self.s.node_ip, 'readyContainers': len(p['spec']['containers']) if ip else 0,
                              'labsmithPlannedIP': planned}
        for pr in problems:
            if 'the plan says' in pr and pr not in self.report.get('problems', []):
                self.log.error('ADDRESS PLAN VIOLATED: %s' % pr)
        with self.lock:
            self.report = {'node': self.s.name, 'updated': time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime()), 'pods': pods, 'problems': problems}
        try:
            common.write_atomic(common.run_path('kubelet.json'), json.dumps(self.report, indent=2) + '\n')
        except OSError as e:
            self.log.warning('cannot write %s: %s' % (common.run_path('kubelet.json'), e))
        if self.api is not None and self.api_error is None:
            try:
                self.api.call('POST', '/api/v1/nodes/%s/status' % self.s.name, json.dumps({'pods': statuses}))
            except HTTPError as e:
                self.log.warning('cannot report pod status to the apiserver: %s' % e)

    def handle(self, req):
        path = req.path.rstrip('/')
        with self.lock:
            report = self.report
        if path == '/healthz':
            if report['problems']:
                return 500, 'text/plain', ''.join('[-]%s\n' % p for p in report['problems']) + 'healthz check failed\n'
            return 200, 'text/plain', 'ok'
        if path in ('/pods', '/labsmith'):
            return 200, 'application/json', json_body(report)
        return 404, 'text/plain', '404 page not found\n'


def main():
    binary = 'kubelet'
    log = common.Log(binary)
    version, dialect, minor = common.read_release(binary)
    p = common.parse_flags(binary, sys.argv[1:], dialect, minor, log)
    common.print_version_and_exit(binary, p, version, dialect)
    if dialect == 'modern':
        driver = p.get('cgroup-driver')
        if driver and driver not in ('cgroupfs', 'systemd'):
            common.die(log, 'invalid configuration: cgroupDriver %r: must be one of cgroupfs, systemd' % driver)
        if minor >= 24 and p.get('container-runtime') not in (None, 'remote'):
            common.die(log, 'failed to validate kubelet flags: unsupported CRI runtime: %r, only "remote" is supported' % p.get('container-runtime'))
    s = Settings(p, dialect, minor)
    try:
        _unix(s.runtime)
    except ValueError as e:
        common.die(log, str(e))
    common.dry_run_exit(log, binary)
    common.announce(log, binary, version, dialect, 'runs this node\'s pods on docker (%s): a pause container per pod on docker0, '
                    'the pod\'s containers joined to it; no volumes, probes or limits' % s.runtime)
    if s.kubeconfig and not os.path.exists(s.kubeconfig):
        common.die(log, 'failed to load kubeconfig %s: no such file or directory' % s.kubeconfig)
    k = Kubelet(s, log)
    if k.api is None:
        log.warning('no apiserver configured (standalone): no pods to run')
    if s.cgroup_driver:
        try:
            info = k.docker.json('GET', '/info')
            if info.get('CgroupDriver') and info['CgroupDriver'] != s.cgroup_driver:
                common.die(log, 'failed to run Kubelet: misconfiguration: kubelet cgroup driver: "%s" is different from docker cgroup driver: "%s"'
                           % (s.cgroup_driver, info['CgroupDriver']))
        except (OSError, DockerError, HTTPError) as e:
            log.warning('cannot ask docker for its cgroup driver: %s' % e)
    server = Server(k.handle, log)
    host, port = s.healthz
    if port:
        server.listen(host, port)
        log.info('healthz on %s:%d' % (host, port))
    if dialect == 'legacy' and s.port:
        server.listen(s.address, s.port)
        log.info('Starting to listen on %s:%d' % (s.address, s.port))
    common.on_term(lambda: sys.exit(0))
    k.run()
