# Stand-in for kube-proxy: programs this node's service rules, which labsmith renders (the
# services issue defines them; until then there are none and it programs nothing).
#
# The hook, two files labsmith may install on each node:
#   /etc/labsmith/kube-proxy.rules  loaded once at start with `iptables-restore --noflush`
#                                   (any mode: the KUBE-* chains of iptables mode, the REDIRECT
#                                   and DNAT rules of userspace mode). A file iptables-restore
#                                   refuses makes the unit fail, so it shows in systemctl.
#   /etc/labsmith/kube-proxy.json   userspace mode only: the proxy ports this process serves,
#     {"proxies": [{"service": "default/webfrontend:80", "port": 39770, "protocol": "TCP",
#                   "backends": ["10.10.30.4:8080", ...]}]}
#                                   each a TCP listener on 0.0.0.0:port that opens a second
#                                   connection, from the node's own address, to the next backend
#                                   in turn, as the 2015 userspace proxier did.
# Stopping it leaves the rules in place, as the real kube-proxy does: in iptables mode
# services keep working; in userspace mode the redirected ports go dead.
# Modern: /healthz on --healthz-bind-address (0.0.0.0:10256). Not done: watching the apiserver
# (labsmith re-renders the files and restarts the unit instead), UDP proxying, IPVS (this
# kernel has none).
import json
import os
import socket
import subprocess
import sys
import threading

from . import common
from .httpd import Server

MODES = ('userspace', 'iptables', 'ipvs')


def _relay(a, b):
    try:
        while True:
            data = a.recv(65536)
            if not data:
                break
            b.sendall(data)
    except OSError:
        pass
    finally:
        try:
            b.shutdown(socket.SHUT_WR)
        except OSError:
            pass


def _proxy(spec, log):
    backends = list(spec['backends'])
    port = int(spec['port'])
    lsock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    lsock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    lsock.bind((spec.get('bind', '0.0.0.0'), port))
    lsock.listen(128)
    log.info('Opened proxy port %d for %s -> %s' % (port, spec.get('service', '?'), ','.join(backends) or 'no endpoints'))
    state = {'next': 0}

    def serve(client):
        for _ in range(len(backends)):
            i = state['next'] % len(backends)
            state['next'] += 1
            host, _, bport = backends[i].rpartition(':')
            try:
                up = socket.create_connection((host, int(bport)), timeout=5)
            except OSError as e:
                log.warning('%s: backend %s: %s' % (spec.get('service', '?'), backends[i], e))
                continue
            up.settimeout(None)
            t = threading.Thread(target=_relay, args=(up, client))
            t.daemon = True
            t.start()
            _relay(client, up)
            t.join()
            up.close()
            break
        client.close()

    def accept():
        while True:
            client, _ = lsock.accept()
            t = threading.Thread(target=serve, args=(client,))
            t.daemon = True
            t.start()

    t = threading.Thread(target=accept)
    t.daemon = True
    t.start()


def main():
    binary = 'kube-proxy'
    log = common.Log(binary)
    version, dialect, minor = common.read_release(binary)
    p = common.parse_flags(binary, sys.argv[1:], dialect, minor, log)
    common.print_version_and_exit(binary, p, version, dialect)
    mode = 'userspace' if dialect == 'legacy' else (p.get('proxy-mode') or ('iptables' if minor >= 2 else 'userspace'))
    if mode not in MODES:
        common.die(log, 'invalid configuration: KubeProxyConfiguration.Mode: Invalid value: "%s": must be %s or blank' % (mode, ' or '.join(MODES)))
    if mode == 'userspace' and minor >= 26:
        common.die(log, 'invalid configuration: KubeProxyConfiguration.Mode: Invalid value: "userspace": the userspace proxy was removed in 1.26')
    common.dry_run_exit(log, binary)
    if p.get('kubeconfig') and not os.path.exists(p.get('kubeconfig')):
        common.die(log, 'invalid configuration: stat %s: no such file or directory' % p.get('kubeconfig'))
    rules, proxies = common.etc_path('kube-proxy.rules'), common.etc_path('kube-proxy.json')
    common.announce(log, binary, version, dialect, 'programs the service rules labsmith renders (%s) in %s mode' % (rules, mode))
    if mode == 'ipvs':
        log.warning('proxy mode ipvs: the rules file decides what is programmed (this kernel may have no IPVS)')
    if os.path.exists(rules):
        r = subprocess.run(['iptables-restore', '--noflush', rules], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        if r.returncode != 0:
            common.die(log, 'iptables-restore %s failed (%d): %s' % (rules, r.returncode, r.stdout.decode('utf-8', 'replace').strip()))
        log.info('loaded the service rules of %s' % rules)
    else:
        log.info('no %s: no service rules to program' % rules)
    if mode == 'userspace' and os.path.exists(proxies):
        try:
            with open(proxies) as f:
                specs = json.load(f).get('proxies', [])
            for spec in specs:
                _proxy(spec, log)
        except (OSError, ValueError, KeyError, TypeError) as e:
            common.die(log, 'cannot serve the proxies of %s: %s' % (proxies, e))
    if dialect == 'modern':
        hb = p.get('healthz-bind-address', '0.0.0.0:10256')
        host, _, port = hb.rpartition(':') if ':' in hb else (hb, '', '10256')
        if port and int(port):
            server = Server(lambda req: (200, 'application/json', '{"lastUpdated": "", "currentTime": ""}') if req.path == '/healthz' else (404, 'text/plain', '404 page not found\n'), log)
            try:
                server.listen(host or '0.0.0.0', int(port))
            except OSError as e:
                common.die(log, 'failed to listen on %s: %s' % (hb, e.strerror))
    common.sd_notify('READY=1')
    common.on_term(lambda: sys.exit(0))
    import signal
    while True:
        signal.pause()
