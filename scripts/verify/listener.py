# labsmith verify: the listener of a node's probe pods (one process per node, python 3.6+).
#
#   python3 -S listener.py PIDFILE CODE RESTART NETNS PORT [NETNS PORT ...]
#
# For each NETNS PORT pair it listens on 0.0.0.0:PORT inside the network namespace
# /run/netns/NETNS (the socket is made there with setns(2), so one process serves every pod
# of the node), and answers each connection with the address it came from (the peer the pod
# sees, which proves no NAT on the way) and a newline, then closes it.
#
# Run again with the same arguments it leaves the running copy alone ("listener kept PID");
# with other arguments, another CODE (labsmith's version of this file) or RESTART=1 (a pod
# namespace was re-created, so old sockets sit in a namespace nobody reaches) it replaces it.
# The first line of output is "listener kept|started PID" or "listener error MESSAGE".
import ctypes
import errno
import os
import select
import signal
import socket
import sys
import time

CLONE_NEWNET = 0x40000000


def fail(message):
    sys.stdout.write('listener error %s\n' % message)
    sys.stdout.flush()
    sys.exit(1)


def cmdline(pid):
    try:
        with open('/proc/%d/cmdline' % pid, 'rb') as f:
            return f.read()
    except (IOError, OSError):
        return None


def running(pidfile):
    try:
        with open(pidfile) as f:
            pid = int(f.read().strip())
    except (IOError, OSError, ValueError):
        return None
    cmd = cmdline(pid)
    if cmd is None or b'labsmith' not in cmd or b'listener' not in cmd:
        return None
    return pid, cmd


def same(a, b):
    # python3 -S, listener.py, PIDFILE, CODE, RESTART, pairs...: all but RESTART must match.
    a, b = a.split(b'\0'), b.split(b'\0')
    return a[:5] + a[6:] == b[:5] + b[6:]


def stop(pid):
    try:
        os.kill(pid, signal.SIGTERM)
    except OSError:
        return
    for _ in range(200):
        if cmdline(pid) is None:
            return
        time.sleep(0.01)
    try:
        os.kill(pid, signal.SIGKILL)
    except OSError:
        pass


def listen_in(libc, home, netns, port):
    fd = os.open('/run/netns/' + netns, os.O_RDONLY)
    try:
        if libc.setns(fd, CLONE_NEWNET) != 0:
            raise OSError(ctypes.get_errno(), 'setns %s' % netns)
    finally:
        os.close(fd)
    try:
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(('0.0.0.0', port))
        s.listen(4096)
        s.setblocking(False)
        return s
    finally:
        if libc.setns(home, CLONE_NEWNET) != 0:
            raise OSError(ctypes.get_errno(), 'setns back')


def serve(socks):
    poll = select.poll()
    by_fd = {}
    for s in socks:
        poll.register(s.fileno(), select.POLLIN)
        by_fd[s.fileno()] = s
    while True:
        for fd, _ in poll.poll():
            s = by_fd[fd]
            while True:
                try:
                    conn, peer = s.accept()
                except (IOError, OSError) as e:
                    if e.errno in (errno.EMFILE, errno.ENFILE, errno.ENOBUFS, errno.ENOMEM):
                        time.sleep(0.01)  # out of descriptors or memory: let others finish
                    break
                try:
                    conn.setblocking(False)
                    conn.send((peer[0] + '\n').encode())
                except (IOError, OSError):
                    pass
                conn.close()


def main():
    if len(sys.argv) < 4 or (len(sys.argv) - 4) % 2:
        fail('usage: listener.py PIDFILE CODE RESTART [NETNS PORT]...')
    pidfile, restart = sys.argv[1], sys.argv[3] == '1'
    pairs = [(sys.argv[i], int(sys.argv[i + 1])) for i in range(4, len(sys.argv), 2)]
    old = running(pidfile)
    if old and not restart and same(old[1], cmdline(os.getpid())):
        sys.stdout.write('listener kept %d\n' % old[0])
        return
    if old:
        stop(old[0])
    if not pairs:
        sys.stdout.write('listener none\n')
        return
    libc = ctypes.CDLL(None, use_errno=True)
    home = os.open('/proc/self/ns/net', os.O_RDONLY)
    socks = []
    for netns, port in pairs:
        try:
            socks.append(listen_in(libc, home, netns, port))
        except (IOError, OSError) as e:
            fail('%s:%d: %s' % (netns, port, e.strerror or e))
    os.close(home)
    sys.stdout.flush()
    pid = os.fork()
    if pid:
        # The parent reports once the daemon has written its pid file.
        for _ in range(500):
            found = running(pidfile)
            if found and found[0] == pid:
                break
            time.sleep(0.005)
        sys.stdout.write('listener started %d\n' % pid)
        return
    os.setsid()
    null = os.open('/dev/null', os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(null, fd)
    tmp = '%s.%d' % (pidfile, os.getpid())
    with open(tmp, 'w') as f:
        f.write('%d\n' % os.getpid())
    os.rename(tmp, pidfile)
    signal.signal(signal.SIGPIPE, signal.SIG_IGN)
    serve(socks)


main()
