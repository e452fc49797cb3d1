# The workload containers' server (runs inside each container, PID 1, with the node's own
# python3 bind-mounted read-only at /usr: the image itself is busybox only).
#
# It serves every port of LABSMITH_PORTS ("8080/TCP,8080/UDP") and answers each connection or
# datagram with two lines:
#   <the peer address it saw>
#   pod=<namespace>/<pod> container=<container> proto=<tcp|udp> local=<ip:port> peer=<ip:port>
# The first line is what labsmith verify's listener answers too (the address the pod saw, which
# proves no NAT on the way). A client that speaks HTTP (its request arrives within 0.3 s) gets
# the same two lines as an HTTP/1.0 200 response, so curl and wget work.
import os
import select
import signal
import socket
import sys
import threading

POD = os.environ.get('LABSMITH_POD', '?')
NAMESPACE = os.environ.get('LABSMITH_NAMESPACE', 'default')
CONTAINER = os.environ.get('LABSMITH_CONTAINER', '?')
IP_PKTINFO = 8
METHODS = (b'GET ', b'HEAD ', b'POST ', b'PUT ', b'DELETE ', b'OPTIONS ', b'PATCH ')

threading.stack_size(256 * 1024)


def reply(proto, local, peer):
    return ('%s\npod=%s/%s container=%s proto=%s local=%s:%d peer=%s:%d\n'
            % (peer[0], NAMESPACE, POD, CONTAINER, proto, local[0], local[1], peer[0], peer[1])).encode()


def serve_tcp(conn, peer):
    try:
        local = conn.getsockname()
        data = b''
        if select.select([conn], [], [], 0.3)[0]:
            data = conn.recv(4096)
        body = reply('tcp', local, peer)
        if data.startswith(METHODS):
            conn.settimeout(2)
            while b'\r\n\r\n' not in data and b'\n\n' not in data:
                chunk = conn.recv(4096)
                if not chunk:
                    break
                data += chunk
            head = 'HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\nContent-Length: %d\r\nConnection: close\r\n\r\n' % len(body)
            body = head.encode() + (b'' if data.startswith(b'HEAD ') else body)
        conn.sendall(body)
        conn.shutdown(socket.SHUT_WR)
    except (OSError, ValueError):
        pass
    finally:
        conn.close()


def main():
    signal.signal(signal.SIGTERM, lambda *_: os._exit(0))
    signal.signal(signal.SIGINT, lambda *_: os._exit(0))
    socks = {}
    for spec in filter(None, os.environ.get('LABSMITH_PORTS', '').split(',')):
        port, _, proto = spec.partition('/')
        udp = proto.upper() == 'UDP'
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM if udp else socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(('0.0.0.0', int(port)))
        if udp:
            s.setsockopt(socket.IPPROTO_IP, IP_PKTINFO, 1)
        else:
            s.listen(128)
        socks[s.fileno()] = (s, udp)
    sys.stderr.write('labsmith stand-in container %s of pod %s/%s: serving %s\n'
                     % (CONTAINER, NAMESPACE, POD, os.environ.get('LABSMITH_PORTS', 'nothing')))
    sys.stderr.flush()
    poll = select.poll()
    for fd in socks:
        poll.register(fd, select.POLLIN)
    while True:
        for fd, _ in poll.poll():
            s, udp = socks[fd]
            try:
                if udp:
                    _, anc, _, peer = s.recvmsg(65536, 64)
                    # The datagram's own destination (struct in_pktinfo's ipi_addr), since the
                    # socket is bound to 0.0.0.0.
                    local = [socket.inet_ntoa(d[8:12]) for lvl, typ, d in anc if lvl == socket.IPPROTO_IP and typ == IP_PKTINFO]
                    s.sendto(reply('udp', (local[0] if local else '0.0.0.0', s.getsockname()[1]), peer), peer)
                else:
                    conn, peer = s.accept()
                    t = threading.Thread(target=serve_tcp, args=(conn, peer))
                    t.daemon = True
                    t.start()
            except OSError:
                pass


main()
