# The images the lab names, built offline: one tiny root filesystem (the node's static busybox,
# Debian's busybox-static, plus the pod server) imported into docker once and tagged with every
# name the lab uses (kubernetes/pause:go, the workloads' images). No registry is contacted.
# Containers get the node's /usr read-only (for python3, which runs the pod server), so /lib
# and /lib64 point into it as on Debian.
import hashlib
import os

from .docker import split_ref

BUSYBOX = '/bin/busybox'
APPLETS = ('sh', 'ash', 'sleep', 'cat', 'echo', 'env', 'ls', 'ps', 'ip', 'ifconfig', 'route', 'netstat', 'hostname',
           'wget', 'nc', 'ping', 'true', 'false', 'kill')
BASE_REPO = 'labsmith/standin-rootfs'
LABEL = 'io.labsmith.standin.rootfs'
HERE = os.path.dirname(os.path.abspath(__file__))


REG, SYM, DIR = b'0', b'2', b'5'


def _header(name, size=0, mode=0o644, kind=REG, target=''):
    # A ustar header by hand: the tarfile module costs 2 MiB more in every kubelet.
    def num(value, width):
        return ('%0*o' % (width - 1, value)).encode() + b'\0'
    h = (name.encode().ljust(100, b'\0') + num(mode, 8) + num(0, 8) + num(0, 8) + num(size, 12) + num(0, 12)
         + b' ' * 8 + kind + target.encode().ljust(100, b'\0') + b'ustar\x0000' + b'root'.ljust(32, b'\0')
         + b'root'.ljust(32, b'\0') + num(0, 8) + num(0, 8) + b'\0' * 155).ljust(512, b'\0')
    checksum = ('%06o' % sum(h)).encode() + b'\0 '
    return h[:148] + checksum + h[156:]


def _entry(out, name, data=None, mode=0o644, kind=REG, target=''):
    mode = 0o777 if kind == SYM else mode
    out.append(_header(name, len(data or b''), mode, kind, target))
    if data:
        out.append(data + b'\0' * (-len(data) % 512))


# Part of the image's name: a change to the layout below makes a new image.
LAYOUT = b'1'


def _inputs():
    with open(BUSYBOX, 'rb') as f:
        busybox = f.read()
    with open(os.path.join(HERE, 'podserver.py'), 'rb') as f:
        server = f.read()
    digest = hashlib.sha256(LAYOUT + hashlib.sha256(busybox).digest() + hashlib.sha256(server).digest()).hexdigest()[:16]
    return busybox, server, digest


def rootfs(busybox, server):
    """The root filesystem as a tar archive."""
    out = []
    for d in ('bin', 'usr', 'etc', 'proc', 'sys', 'dev', 'labsmith', 'root'):
        _entry(out, d + '/', mode=0o755, kind=DIR)
    _entry(out, 'tmp/', mode=0o1777, kind=DIR)
    _entry(out, 'lib', kind=SYM, target='usr/lib')
    _entry(out, 'lib64', kind=SYM, target='usr/lib64')
    _entry(out, 'bin/busybox', busybox, 0o755)
    for a in APPLETS:
        _entry(out, 'bin/' + a, kind=SYM, target='busybox')
    _entry(out, 'etc/passwd', b'root:x:0:0:root:/root:/bin/sh\n')
    _entry(out, 'etc/group', b'root:x:0:\n')
    _entry(out, 'labsmith/podserver.py', server, 0o644)
    return b''.join(out) + b'\0' * 1024


def ensure(docker, refs, log):
    """Every ref in refs names the stand-in root filesystem of this kubelet's version; returns
    the image's id. Imports once per docker (the name carries the content's hash)."""
    busybox, server, digest = _inputs()
    base = '%s:%s' % (BASE_REPO, digest)
    img = docker.image(base)
    if img is None:
        data = rootfs(busybox, server)
        log.info('importing the stand-in image %s (%d KiB: busybox and the pod server, offline)' % (base, len(data) // 1024))
        docker.import_image(data, BASE_REPO, digest, ['LABEL %s=%s' % (LABEL, digest)])
        img = docker.image(base)
    for ref in refs:
        have = docker.image(ref)
        if have is None or have['Id'] != img['Id']:
            if have is not None and LABEL not in ((have.get('Config') or {}).get('Labels') or {}):
                log.warning('image %s is not a stand-in image; tagging over it' % ref)
            repo, tag = split_ref(ref)
            docker.tag(base, repo, tag)
            log.info('tagged %s as %s' % (base, ref))
    return img['Id']
