# labsmith verify: every probe of one host, at once, in one process (python 3.6+).
#
#   python3 prober.py TIMEOUT_MS ANSWER_MS KIND NETNS DST PORT [KIND NETNS DST PORT ...]
#
# Probe i (from 0) is the i-th group of four. KIND is "tcp" (connect to DST:PORT and read the
# one line the far side answers: labsmith's listener says which address it saw) or "icmp"
# (one echo request to DST; PORT is ignored). NETNS is "-" for the host's own network
# namespace, else a name under /run/netns: the socket is made there (setns(2)), so a probe
# leaves from that pod with the pod's address. Every probe starts at once; each gets TIMEOUT_MS
# for its connection (or echo reply), then ANSWER_MS for the answer of a connected socket
# (the far side's listener may wait its turn for a CPU on a loaded machine).
#
# Output, one line per probe, in the order they finish, then "@done":
#   P <i> ok <rtt ms> <answer or ->
#   P <i> fail <reason> [detail]
# reasons: timeout, noanswer (connected, nothing said), refused, hostunreach, netunreach, unreach (ICMP type 3, detail
# "code/from"), ttl (time exceeded, detail "from"), nons (no such pod namespace), error (detail).
import ctypes
import errno
import os
import select
import socket
import struct
import sys
import time

CLONE_NEWNET = 0x40000000
now = time.monotonic


def checksum(data):
    if len(data) % 2:
        data += b'\0'
    s = sum(struct.unpack('!%dH' % (len(data) // 2), data))
    s = (s >> 16) + (s & 0xffff)
    s += s >> 16
    return ~s & 0xffff


class Namespaces(object):
    """Sockets made inside pod namespaces. Probes come grouped by source, so the process
    stays in one namespace while it makes that source's sockets; home() returns."""

    def __init__(self):
        self.libc = ctypes.CDLL(None, use_errno=True)
        self.fds = {'-': os.open('/proc/self/ns/net', os.O_RDONLY)}
        self.current = '-'

    def enter(self, netns):
        if netns == self.current:
            return
        fd = self.fds.get(netns)
        if fd is None:
            fd = os.open('/run/netns/' + netns, os.O_RDONLY)
            self.fds[netns] = fd
        if self.libc.setns(fd, CLONE_NEWNET) != 0:
            raise OSError(ctypes.get_errno(), 'setns ' + netns)
        self.current = netns

    def socket(self, netns, family, kind, proto=0):
        """A socket made inside netns ('-': the host's own)."""
        self.enter(netns)
        return socket.socket(family, kind, proto)

    def home(self):
        self.enter('-')


def errname(code):
    return {
        errno.ECONNREFUSED: 'refused',
        errno.EHOSTUNREACH: 'hostunreach',
        errno.ENETUNREACH: 'netunreach',
        errno.ETIMEDOUT: 'timeout',
    }.get(code, 'error')


def main():
    args = sys.argv[1:]
    if len(args) < 2 or (len(args) - 2) % 4:
        sys.stdout.write('@usage prober.py TIMEOUT_MS ANSWER_MS [KIND NETNS DST PORT]...\n')
        sys.exit(2)
    timeout = int(args[0]) / 1000.0
    answer_timeout = int(args[1]) / 1000.0
    probes = [tuple(args[i:i + 4]) for i in range(2, len(args), 4)]
    out = []
    ns = Namespaces()
    poll = select.poll()
    tcp = {}  # fd -> [index, socket, deadline, connect rtt or None, data]
    icmp = {}  # netns -> raw socket
    icmp_fd = {}  # fd -> netns
    pending_icmp = {}  # seq -> [index, start, deadline]
    ident = os.getpid() & 0xffff
    done = set()

    def finish(i, text):
        if i not in done:
            done.add(i)
            out.append('P %d %s' % (i, text))

    def close_tcp(fd):
        poll.unregister(fd)
        tcp.pop(fd)[1].close()

    for i, (kind, netns, dst, port) in enumerate(probes):
        try:
            if kind == 'tcp':
                s = ns.socket(netns, socket.AF_INET, socket.SOCK_STREAM)
                s.setblocking(False)
                t0 = now()
                rc = s.connect_ex((dst, int(port)))
                if rc not in (0, errno.EINPROGRESS):
                    s.close()
                    finish(i, 'fail %s %d' % (errname(rc), rc))
                    continue
                tcp[s.fileno()] = [i, s, t0 + timeout, None, b'', t0]
                poll.register(s.fileno(), select.POLLOUT)
            elif kind == 'icmp':
                raw = icmp.get(netns)
                if raw is None:
                    raw = ns.socket(netns, socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
                    raw.setblocking(False)
                    icmp[netns] = raw
                    icmp_fd[raw.fileno()] = netns
                    poll.register(raw.fileno(), select.POLLIN)
                seq = i & 0xffff
                header = struct.pack('!BBHHH', 8, 0, 0, ident, seq)
                payload = b'labsmith-verify'
                packet = struct.pack('!BBHHH', 8, 0, checksum(header + payload), ident, seq) + payload
                t0 = now()
                pending_icmp[seq] = [i, t0, t0 + timeout]
                try:
                    raw.sendto(packet, (dst, 0))
                except (IOError, OSError) as e:
                    del pending_icmp[seq]
                    finish(i, 'fail %s %d' % (errname(e.errno), e.errno or 0))
            else:
                finish(i, 'fail error unknown-kind')
        except (IOError, OSError) as e:
            if e.errno == errno.ENOENT:
                finish(i, 'fail nons %s' % netns)
            else:
                finish(i, 'fail error %s' % (e.strerror or e))

    ns.home()
    while tcp or pending_icmp:
        t = now()
        nxt = min([e[2] for e in tcp.values()] + [e[2] for e in pending_icmp.values()])
        for fd, ev in poll.poll(max(1, int((nxt - t) * 1000) + 1)):
            if fd in icmp_fd:
                raw = icmp[icmp_fd[fd]]
                while True:
                    try:
                        data, addr = raw.recvfrom(2048)
                    except (IOError, OSError):
                        break
                    t = now()
                    ihl = (data[0] & 0x0f) * 4
                    kind, code = data[ihl], data[ihl + 1]
                    if kind == 0:
                        rid, seq = struct.unpack('!HH', data[ihl + 4:ihl + 8])
                        if rid == ident and seq in pending_icmp:
                            i, t0, _ = pending_icmp.pop(seq)
                            finish(i, 'ok %.3f -' % ((t - t0) * 1000))
                    elif kind in (3, 11) and len(data) >= ihl + 8 + 20 + 8:
                        inner = data[ihl + 8:]
                        iihl = (inner[0] & 0x0f) * 4
                        if inner[9] != 1 or len(inner) < iihl + 8:
                            continue
                        itype, _, _, rid, seq = struct.unpack('!BBHHH', inner[iihl:iihl + 8])
                        if itype == 8 and rid == ident and seq in pending_icmp:
                            i = pending_icmp.pop(seq)[0]
                            if kind == 3:
                                finish(i, 'fail unreach %d/%s' % (code, addr[0]))
                            else:
                                finish(i, 'fail ttl %s' % addr[0])
                continue
            entry = tcp.get(fd)
            if entry is None:
                continue
            i, s, _, connected, data, t0 = entry
            if connected is None:
                err = s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
                if err:
                    finish(i, 'fail %s %d' % (errname(err), err))
                    close_tcp(fd)
                    continue
                entry[3] = now() - t0
                entry[2] = now() + answer_timeout
                poll.modify(fd, select.POLLIN)
                continue
            try:
                chunk = s.recv(512)
            except (IOError, OSError) as e:
                if e.errno in (errno.EAGAIN, errno.EWOULDBLOCK):
                    continue
                chunk = b''
                if not data:
                    finish(i, 'fail %s %d' % (errname(e.errno), e.errno or 0))
            data += chunk
            entry[4] = data
            if not chunk or b'\n' in data:
                answer = data.split(b'\n')[0].decode('ascii', 'replace').strip() or '-'
                finish(i, 'ok %.3f %s' % (entry[3] * 1000, answer.replace(' ', '_')))
                close_tcp(fd)
        # Expire what ran out of time, after reading what arrived (a starved prober must not
        # blame the network): each probe has its own deadline (connect or echo within
        # TIMEOUT, then the answer within ANSWER after connecting).
        t = now()
        for fd in [fd for fd, e in tcp.items() if e[2] <= t]:
            e = tcp[fd]
            finish(e[0], 'fail noanswer' if e[3] is not None else 'fail timeout')
            close_tcp(fd)
        for seq in [q for q, e in pending_icmp.items() if e[2] <= t]:
            finish(pending_icmp.pop(seq)[0], 'fail timeout')
        if len(out) > 64:
            sys.stdout.write('\n'.join(out) + '\n')
            del out[:]
    for i in range(len(probes)):
        finish(i, 'fail timeout')
    out.append('@done')
    sys.stdout.write('\n'.join(out) + '\n')
    sys.stdout.flush()


main()
