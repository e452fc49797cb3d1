# Stand-ins for the control plane: kube-apiserver, kube-controller-manager, kube-scheduler.
#
# kube-apiserver listens where its flags say, answers /healthz, /livez, /readyz and /version
# (with the lab's release), and serves the lab's pods, services, endpoints, nodes and
# namespaces read-only, from /etc/labsmith/cluster.json, in the v1 JSON and the Table form
# kubectl asks for. Kubelets report their pods' phase and address to it (a status POST), so
# what it shows is what runs. It stores nothing in etcd: etcd appears only in the modern
# /healthz (as the real one reports "[-]etcd failed" when etcd is down).
#   legacy: HTTP on --address (127.0.0.1) : --port (8080)
#   modern: HTTPS on --bind-address (0.0.0.0) : --secure-port (6443) with --tls-cert-file (else
#           self-signed), client certificates verified against --client-ca-file (without one,
#           resources answer 403 as to system:anonymous); before 1.20 also the insecure port
#           (--insecure-bind-address 127.0.0.1 : --insecure-port 8080).
# kube-controller-manager and kube-scheduler only answer /healthz and /version where their flags say
# (legacy and before 1.20: HTTP on --address : --port, 10252 and 10251; from 1.20: HTTPS on
# --bind-address : --secure-port, 10257 and 10259). They control and schedule nothing: the
# lab file places every pod.
import json
import os
import signal
import sys
import time

from . import common
from .httpd import Server, json_body, request

HEALTH = ('/healthz', '/livez', '/readyz')


def _status(code, reason, message):
    return code, 'application/json', json_body({'kind': 'Status', 'apiVersion': 'v1', 'metadata': {}, 'status': 'Failure',
                                                'message': message, 'reason': reason, 'code': code})


def _files_exist(log, pairs):
    for flag, path in pairs:
        if path and not os.path.exists(path):
            common.die(log, 'error reading %s (--%s): open %s: no such file or directory' % (path, flag, path))


def _serve_forever(log):
    common.on_term(lambda: sys.exit(0))
    common.sd_notify('READY=1')
    while True:
        signal.pause()


def _listen(server, log, host, port, ctx=None, what='insecurely'):
    if not port:
        # Port 0 turns that serving off, as in the real binaries.
        log.info('Not serving %s (port 0)' % what)
        return
    try:
        server.listen(host or '0.0.0.0', port, ctx)
    except OSError as e:
        common.die(log, 'failed to listen on %s:%d: %s' % (host, port, e.strerror))
    log.info('Serving %s on %s:%d' % (what, host or '0.0.0.0', port))


# ---------------------------------------------------------------------- kube-apiserver

class Api(object):
    def __init__(self, cluster, version_info, etcd, secure_needs_cert, log):
        self.cluster = cluster
        self.version_info = version_info
        self.etcd = etcd
        self.secure_needs_cert = secure_needs_cert
        self.log = log
        self.etcd_cache = (0, False)

    def etcd_ok(self):
        t, ok = self.etcd_cache
        if time.time() - t < 2:
            return ok
        ok = False
        for url in self.etcd:
            try:
                status, _, body = request(url.rstrip('/') + '/health', timeout=1.0)
                ok = status == 200 and json.loads(body.decode() or '{}').get('health') in ('true', True)
            except (OSError, ValueError):
                ok = False
            if ok:
                break
        self.etcd_cache = (time.time(), ok)
        return ok

    def handle(self, req, secure):
        path = req.path.rstrip('/') or '/'
        if path in HEALTH:
            return self.health(req, path)
        if path == '/version':
            return 200, 'application/json', json_body(self.version_info)
        if secure and self.secure_needs_cert and req.peer_cert is None:
            return _status(403, 'Forbidden', 'forbidden: User "system:anonymous" cannot get path "%s"' % req.path)
        if path == '/api':
            return 200, 'application/json', json_body({'kind': 'APIVersions', 'versions': ['v1'], 'serverAddressByClientCIDRs': []})
        if path == '/apis':
            return 200, 'application/json', json_body({'kind': 'APIGroupList', 'apiVersion': 'v1', 'groups': []})
        if path == '/api/v1':
            return 200, 'application/json', json_body(resource_list())
        if not path.startswith('/api/v1/'):
            return _status(404, 'NotFound', 'the server could not find the requested resource')
        try:
            self.cluster.load()
        except (OSError, ValueError) as e:
            self.log.error('cannot read the lab data %s: %s' % (self.cluster.path, e))
            return _status(503, 'ServiceUnavailable', 'labsmith stand-in: no lab data at %s' % self.cluster.path)
        return self.resources(req, path[len('/api/v1/'):].split('/'))

    def health(self, req, path):
        checks = [('ping', True), ('log', True)]
        if self.etcd is not None:
            checks.append(('etcd', self.etcd_ok()))
        if all(ok for _, ok in checks):
            if 'verbose' in req.query():
                return 200, 'text/plain', ''.join('[+]%s ok\n' % n for n, _ in checks) + '%s check passed\n' % path[1:]
            return 200, 'text/plain', 'ok'
        text = ''.join(('[+]%s ok\n' if ok else '[-]%s failed: reason withheld\n') % n for n, ok in checks)
        return 500, 'text/plain', text + '%s check failed\n' % path[1:]

    def resources(self, req, parts):
        ns = None
        if parts[0] == 'namespaces' and len(parts) >= 3:
            ns, parts = parts[1], parts[2:]
        kind = parts[0]
        getters = {'pods': self.cluster.pods, 'services': self.cluster.services, 'endpoints': self.cluster.endpoints,
                   'nodes': self.cluster.nodes, 'namespaces': self.cluster.namespaces}
        if kind not in getters:
            return _status(404, 'NotFound', 'the server could not find the requested resource')
        if req.method == 'POST' or req.method == 'PUT' or req.method == 'PATCH':
            return self.write(req, kind, ns, parts)
        if req.method != 'GET':
            return _status(405, 'MethodNotAllowed', 'labsmith stand-in: the lab file is the only source of %s; it is read-only' % kind)
        objs = getters[kind]()
        if ns is not None:
            objs = [o for o in objs if o['metadata'].get('namespace') == ns]
        if len(parts) >= 2:
            named = [o for o in objs if o['metadata']['name'] == parts[1]]
            if not named:
                return _status(404, 'NotFound', '%s "%s" not found' % (kind, parts[1]))
            return 200, 'application/json', json_body(named[0])
        q = req.query()
        from .objects import select, table
        objs = select(objs, q.get('fieldSelector'), q.get('labelSelector'))
        if 'as=Table' in req.headers.get('accept', ''):
            return 200, 'application/json', json_body(table(kind, objs, self.cluster.version))
        list_kind = {'pods': 'PodList', 'services': 'ServiceList', 'endpoints': 'EndpointsList', 'nodes': 'NodeList', 'namespaces': 'NamespaceList'}[kind]
        return 200, 'application/json', json_body({'kind': list_kind, 'apiVersion': 'v1', 'metadata': {'resourceVersion': self.cluster.version}, 'items': objs})

    def write(self, req, kind, ns, parts):
        # Only the kubelet's status report: POST /api/v1/nodes/<node>/status {"pods": {name: status}}.
        if kind == 'nodes' and len(parts) == 3 and parts[2] == 'status' and req.method == 'POST':
            try:
                pods = json.loads(req.body.decode())['pods']
            except (ValueError, KeyError, TypeError):
                return _status(400, 'BadRequest', 'expected {"pods": {...}}')
            self.cluster.report(parts[1], pods)
            return 200, 'application/json', json_body({'kind': 'Status', 'status': 'Success'})
        return _status(405, 'MethodNotAllowed', 'labsmith stand-in: the lab file is the only source of %s; it is read-only' % kind)


def resource_list():
    def r(name, kind, namespaced, short=None):
        d = {'name': name, 'singularName': '', 'namespaced': namespaced, 'kind': kind, 'verbs': ['get', 'list']}
        if short:
            d['shortNames'] = short
        return d
    return {'kind': 'APIResourceList', 'groupVersion': 'v1', 'resources': [
        r('pods', 'Pod', True, ['po']), r('services', 'Service', True, ['svc']), r('endpoints', 'Endpoints', True, ['ep']),
        r('nodes', 'Node', False, ['no']), r('namespaces', 'Namespace', False, ['ns'])]}


def version_info(version, dialect):
    git = common.git_version(version, dialect)
    major, minor = git[1:].split('.')[:2]
    return {'major': major, 'minor': minor, 'gitVersion': git + '-labsmith-standin', 'gitCommit': '', 'gitTreeState': 'clean',
            'buildDate': '', 'goVersion': '', 'compiler': 'labsmith-standin', 'platform': 'linux/amd64'}


def _check_apiserver(p, dialect, minor, log):
    """The checks the real binary makes of its flags before it starts."""
    if dialect == 'legacy':
        if not p.get('portal_net'):
            common.die(log, 'No -portal_net specified', 255)
        if bool(p.get('etcd_config')) == bool(p.get('etcd_servers')):
            common.die(log, 'specify either -etcd_servers or -etcd_config', 255)
        return
    from .flags import parse_cidr
    if not p.get('etcd-servers'):
        common.die(log, '--etcd-servers must be specified')
    for cidr in (p.get('service-cluster-ip-range') or '').split(','):
        if cidr:
            try:
                parse_cidr(cidr)
            except ValueError as e:
                common.die(log, 'service-cluster-ip-range: %s' % e)
    npr = p.get('service-node-port-range')
    if npr:
        a, dash, b = npr.partition('-')
        if not (dash and a.isdigit() and b.isdigit() and int(a) <= int(b)):
            common.die(log, 'invalid argument "%s" for "--service-node-port-range" flag: couldn\'t parse "%s"' % (npr, npr))
    modes = {'AlwaysAllow', 'AlwaysDeny', 'ABAC', 'Webhook', 'RBAC', 'Node'}
    for m in p.get('authorization-mode') or []:
        if m not in modes:
            common.die(log, 'authorization-mode "%s" is not a valid mode' % m)
    if minor >= 20 and not (p.get('service-account-issuer') and p.get('service-account-signing-key-file')):
        common.die(log, 'service-account-issuer is a required flag, --service-account-signing-key-file and --service-account-issuer are required flags')
    if 20 <= minor < 24:
        for f in ('insecure-port', 'port'):
            if p.get(f):
                common.die(log, 'invalid port value %d: only zero is allowed' % p.get(f))


def apiserver_main():
    binary = 'kube-apiserver'
    log = common.Log(binary)
    version, dialect, minor = common.read_release(binary)
    p = common.parse_flags(binary, sys.argv[1:], dialect, minor, log)
    common.print_version_and_exit(binary, p, version, dialect)
    _check_apiserver(p, dialect, minor, log)
    common.dry_run_exit(log, binary)
    legacy = dialect == 'legacy'
    common.announce(log, binary, version, dialect,
                    'serves the lab\'s pods and services read-only from %s and answers health checks' % common.etc_path('cluster.json'))

    from .objects import Cluster
    cluster = Cluster(common.etc_path('cluster.json'), common.git_version(version, dialect))
    try:
        cluster.load()
    except (OSError, ValueError) as e:
        log.warning('no lab data yet (%s); resources answer 503 until labsmith installs it' % e)
    etcd = None if legacy else list(p.get('etcd-servers'))
    needs_cert = bool(p.get('client-ca-file'))
    api = Api(cluster, version_info(version, dialect), etcd, needs_cert, log)

    if legacy:
        server = Server(lambda req: api.handle(req, False), log)
        _listen(server, log, p.get('address', '127.0.0.1'), p.get('port', 8080))
        return _serve_forever(log)

    _files_exist(log, [(f, p.get(f)) for f in ('tls-cert-file', 'tls-private-key-file', 'client-ca-file', 'service-account-key-file',
                                                'service-account-signing-key-file', 'kubelet-client-certificate', 'kubelet-client-key')])
    from . import tls
    bind = p.get('bind-address', '0.0.0.0')
    cert, key = p.get('tls-cert-file'), p.get('tls-private-key-file')
    if not (cert and key):
        adv = p.get('advertise-address')
        cert, key = tls.self_signed('apiserver', [h for h in ('127.0.0.1', adv, 'localhost', 'kubernetes') if h])
        log.info('Generated self-signed cert (%s, %s)' % (cert, key))
    ctx = tls.server_context(cert, key, p.get('client-ca-file'))
    secure = Server(lambda req: api.handle(req, True), log)
    _listen(secure, log, bind, p.get('secure-port', 6443), ctx, 'securely')
    insecure_port = p.get('insecure-port', p.get('port', 8080))
    if minor < 20 and insecure_port:
        plain = Server(lambda req: api.handle(req, False), log)
        _listen(plain, log, p.get('insecure-bind-address', p.get('address', '127.0.0.1')), insecure_port)
    return _serve_forever(log)


# ---------------------------------------------------------------------- controller-manager, scheduler

PORTS = {'kube-controller-manager': (10252, 10257), 'kube-scheduler': (10251, 10259)}


def component_main(binary):
    log = common.Log(binary)
    version, dialect, minor = common.read_release(binary)
    p = common.parse_flags(binary, sys.argv[1:], dialect, minor, log)
    common.print_version_and_exit(binary, p, version, dialect)
    if dialect == 'legacy' and not p.get('master'):
        common.die(log, 'Please specify --master', 255)
    if dialect == 'modern' and not (p.get('kubeconfig') or p.get('master')):
        common.die(log, 'invalid configuration: no configuration has been provided, try setting KUBERNETES_MASTER environment variable')
    common.dry_run_exit(log, binary)
    common.announce(log, binary, version, dialect, 'answers health checks only; the lab file places every pod')
    if p.get('kubeconfig'):
        from .tls import Kubeconfig
        try:
            Kubeconfig(p.get('kubeconfig'))
        except (OSError, ValueError) as e:
            common.die(log, 'invalid kubeconfig %s: %s' % (p.get('kubeconfig'), e))
    _files_exist(log, [(f, p.get(f)) for f in ('root-ca-file', 'service-account-private-key-file', 'tls-cert-file', 'tls-private-key-file')])
    insecure, secure = PORTS[binary]
    info = json_body(version_info(version, dialect))

    def handle(req):
        path = req.path.rstrip('/')
        if path in HEALTH:
            return 200, 'text/plain', 'ok'
        if path == '/version':
            return 200, 'application/json', info
        return 404, 'text/plain', '404 page not found\n'
    server = Server(handle, log)
    if dialect == 'legacy':
        _listen(server, log, p.get('address', '127.0.0.1'), p.get('port', insecure))
    elif minor < 20:
        _listen(server, log, p.get('address', '0.0.0.0'), p.get('port', insecure))
    else:
        from . import tls
        cert, key = p.get('tls-cert-file'), p.get('tls-private-key-file')
        if not (cert and key):
            cert, key = tls.self_signed(binary, ['127.0.0.1', 'localhost'])
        _listen(server, log, p.get('bind-address', '0.0.0.0'), p.get('secure-port', secure), tls.server_context(cert, key), 'securely')
    return _serve_forever(log)
