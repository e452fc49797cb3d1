# Stand-in for cri-dockerd (Mirantis, 0.3.x), which the kubelet needs from 1.24 on (dockershim
# left the kubelet). It is no CRI server: it relays the connections the kubelet stand-in makes
# on the CRI socket to docker's socket, byte for byte, so the kubelet of a 1.24+ lab reaches
# docker only while cri-dockerd runs, as on a real node (`systemctl stop cri-docker` stops pod
# changes, and running pods stay).
#   --container-runtime-endpoint fd://  the socket systemd passes (cri-docker.socket, LISTEN_FDS)
#                                unix:///path  a socket of its own
#   --docker-endpoint            docker's socket (default unix:///var/run/docker.sock)
# It tells systemd it is ready (Type=notify) once docker answers.
import os
import select
import socket
import sys
import threading
import time

from . import common
from .httpd import request

SD_LISTEN_FDS_START = 3


def _pump(client, upstream_path, log):
    up = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        up.connect(upstream_path)
    except OSError as e:
        log.error('cannot reach docker at %s: %s' % (upstream_path, e))
        client.close()
        up.close()
        return
    socks = [client, up]
    other = {client: up, up: client}
    try:
        while socks:
            ready, _, _ = select.select(socks, [], [], 300)
            if not ready:
                break
            for s in ready:
                data = s.recv(65536)
                if not data:
                    # Half-close: pass the end on, keep the other direction open.
                    try:
                        other[s].shutdown(socket.SHUT_WR)
                    except OSError:
                        pass
                    socks.remove(s)
                else:
                    other[s].sendall(data)
    except OSError:
        pass
    finally:
        client.close()
        up.close()


def main():
    binary = 'cri-dockerd'
    log = common.Log(binary)
    p = common.parse_flags(binary, sys.argv[1:], 'modern', 0, log)
    if p.get('version') or p.get('buildinfo'):
        sys.stdout.write('cri-dockerd 0.3.4 (labsmith stand-in)\n')
        sys.exit(0)
    endpoint = p.get('container-runtime-endpoint', 'unix:///var/run/cri-dockerd.sock')
    docker_endpoint = p.get('docker-endpoint', 'unix:///var/run/docker.sock')
    if not docker_endpoint.startswith('unix://'):
        common.die(log, 'unsupported docker endpoint %s (the stand-in relays unix sockets only)' % docker_endpoint)
    if not (endpoint.startswith('fd://') or endpoint.startswith('unix://')):
        common.die(log, 'unsupported container runtime endpoint %s' % endpoint)
    common.dry_run_exit(log, binary)
    common.announce(log, binary, '', 'modern', 'relays the kubelet stand-in\'s Docker API calls from %s to %s; it is no CRI server'
                    % (endpoint, docker_endpoint))
    docker_path = docker_endpoint[len('unix://'):]
    if endpoint.startswith('fd://'):
        if os.environ.get('LISTEN_PID') != str(os.getpid()) or int(os.environ.get('LISTEN_FDS', '0')) < 1:
            common.die(log, 'fd:// needs the socket from systemd (cri-docker.socket); none was passed (LISTEN_FDS)')
        listener = socket.socket(fileno=SD_LISTEN_FDS_START)
        for k in ('LISTEN_PID', 'LISTEN_FDS', 'LISTEN_FDNAMES'):
            os.environ.pop(k, None)
    else:
        path = endpoint[len('unix://'):]
        if os.path.exists(path):
            os.unlink(path)
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        listener.bind(path)
        listener.listen(128)
    deadline = time.time() + 10
    while True:
        try:
            request('/_ping', unix=docker_path, timeout=2.0)
            break
        except OSError as e:
            if time.time() > deadline:
                common.die(log, 'Cannot connect to the Docker daemon at %s: %s' % (docker_endpoint, e))
            time.sleep(0.2)
    log.info('docker answers at %s; listening on %s' % (docker_endpoint, endpoint))
    common.sd_notify('READY=1')
    common.on_term(lambda: sys.exit(0))
    while True:
        try:
            client, _ = listener.accept()
        except InterruptedError:
            continue
        t = threading.Thread(target=_pump, args=(client, docker_path, log))
        t.daemon = True
        t.start()
