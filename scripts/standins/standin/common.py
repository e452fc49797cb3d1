# What every stand-in shares: where labsmith puts its files, the release file beside the
# stand-ins, klog-style logging to stderr (the journal), flag parsing with the real exit codes,
# and systemd's readiness notification.
#
# Files labsmith installs (the lead's emulate step; see src/emulate/standin-data.ts):
#   <binDir>/.labsmith-standin.json   {"version": "1.28", "dialect": "modern"}: the lab's release.
#                                     The stand-in reads it from the directory it was started
#                                     from (argv[0]), so every binDir can hold a lab's own.
#   /etc/labsmith/cluster.json        the lab's pods, services and nodes (masters: the apiserver
#                                     serves them)
#   /etc/labsmith/kube-proxy.rules    iptables-restore input for this node (kube-proxy loads it)
#   /etc/labsmith/kube-proxy.json     userspace mode: the proxy ports to serve (kube-proxy)
# The stand-ins write their state under /run/labsmith/ (the kubelet's pod report).
# LABSMITH_STANDIN_ETC and LABSMITH_STANDIN_RUN move /etc/labsmith and /run/labsmith (tests).
# LABSMITH_STANDIN_DRY_RUN=1 parses and checks the command line, says "ok" and exits 0
# (tests); flags cannot carry such switches, because the stand-ins accept only real flags.
import json
import os
import socket
import sys
import time

from . import flags as flagmod
from .flagtables import table

RELEASE_FILE = '.labsmith-standin.json'


def etc_path(name):
    return os.path.join(os.environ.get('LABSMITH_STANDIN_ETC', '/etc/labsmith'), name)


def run_path(name):
    return os.path.join(os.environ.get('LABSMITH_STANDIN_RUN', '/run/labsmith'), name)


class Log(object):
    """klog's line format: Lmmdd hh:mm:ss.uuuuuu PID file:line] message."""

    def __init__(self, binary):
        self.binary = binary
        self.pid = os.getpid()

    def _line(self, level, message):
        t = time.time()
        stamp = time.strftime('%m%d %H:%M:%S', time.localtime(t)) + '.%06d' % int((t % 1) * 1e6)
        try:
            sys.stderr.write('%s%s %7d %s.py:0] %s\n' % (level, stamp, self.pid, self.binary, message))
            sys.stderr.flush()
        except (IOError, OSError, ValueError):
            pass

    def info(self, message):
        self._line('I', message)

    def warning(self, message):
        self._line('W', message)

    def error(self, message):
        self._line('E', message)


def die(log, message, code=1):
    log.error(message)
    sys.exit(code)


def read_release(binary):
    """The lab's release from <dir of argv[0]>/.labsmith-standin.json: (version, dialect, minor)."""
    path = os.path.join(os.path.dirname(os.path.abspath(sys.argv[0])), RELEASE_FILE)
    try:
        with open(path) as f:
            data = json.load(f)
        version, dialect = str(data['version']), data['dialect']
        if dialect not in ('legacy', 'modern'):
            raise ValueError('dialect must be legacy or modern')
        minor = int(version.split('.')[1]) if dialect == 'modern' else 0
    except (IOError, OSError) as e:
        sys.stderr.write('%s (labsmith stand-in): cannot read %s (%s): labsmith installs it beside the stand-ins, '
                         'with the lab\'s release, e.g. {"version": "1.28", "dialect": "modern"}\n' % (binary, path, e.strerror))
        sys.exit(2)
    except (ValueError, KeyError, IndexError, TypeError) as e:
        sys.stderr.write('%s (labsmith stand-in): %s is not {"version": ..., "dialect": "legacy"|"modern"}: %s\n' % (binary, path, e))
        sys.exit(2)
    return version, dialect, minor


def git_version(version, dialect):
    # The legacy dialect is the 2014-15 binaries; v0.10 (February 2015) is the release the
    # classic lab's flags (--portal_net, --machines, --api_servers) fit best.
    return 'v0.10.0' if dialect == 'legacy' else 'v%s.0' % version


def parse_flags(binary, argv, dialect, minor, log):
    """Parses like the real binary: an unknown or malformed flag exits 2 with pflag's message."""
    try:
        parsed = flagmod.parse(argv, table(binary, dialect, minor), normalize=dialect == 'modern')
    except flagmod.FlagError as e:
        # cobra (modern) prints "Error: " before pflag's message; legacy printed it bare.
        sys.stderr.write(('Error: %s\n' if dialect == 'modern' else '%s\n') % e)
        release = '' if binary == 'cri-dockerd' else ' ' + git_version_for(dialect, minor)
        sys.stderr.write('(labsmith stand-in for %s%s: only the flags of that release are accepted)\n' % (binary, release))
        sys.exit(2)
    for w in parsed.warnings:
        log.warning(w)
    if parsed.get('help'):
        sys.stdout.write('Usage of %s (labsmith stand-in): %s\n' % (binary, ' '.join('--' + n for n in sorted(table(binary, dialect, minor)))))
        sys.exit(0)
    if dialect == 'modern' and parsed.args and binary != 'cri-dockerd':
        sys.stderr.write('Error: %s does not take any arguments, got %r\n' % (binary, parsed.args))
        sys.exit(2)
    return parsed


def git_version_for(dialect, minor):
    return 'v0.10.0' if dialect == 'legacy' else 'v1.%d' % minor


def print_version_and_exit(binary, parsed, version, dialect):
    if parsed.get('version') in (True, 'true', 'raw'):
        sys.stdout.write('Kubernetes %s-labsmith-standin\n' % git_version(version, dialect))
        sys.exit(0)


def dry_run_exit(log, summary):
    if os.environ.get('LABSMITH_STANDIN_DRY_RUN') == '1':
        sys.stdout.write('ok %s\n' % summary)
        sys.exit(0)


def announce(log, binary, version, dialect, does):
    release = '' if binary == 'cri-dockerd' else ' (Kubernetes %s, %s flags)' % (git_version(version, dialect), dialect)
    log.info('labsmith stand-in for %s%s: not the real binary; it %s' % (binary, release, does))


def sd_notify(message):
    """systemd's readiness protocol (Type=notify): a datagram to $NOTIFY_SOCKET."""
    path = os.environ.get('NOTIFY_SOCKET')
    if not path:
        return
    if path.startswith('@'):
        path = '\0' + path[1:]
    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    try:
        s.connect(path)
        s.send(message.encode())
    except (IOError, OSError):
        pass
    finally:
        s.close()


def on_term(handler):
    import signal
    signal.signal(signal.SIGTERM, lambda *_: handler())
    signal.signal(signal.SIGINT, lambda *_: handler())


def write_atomic(path, text):
    d = os.path.dirname(path)
    if d and not os.path.isdir(d):
        os.makedirs(d, exist_ok=True)
    tmp = '%s.%d.tmp' % (path, os.getpid())
    with open(tmp, 'w') as f:
        f.write(text)
    os.rename(tmp, path)
