# TLS for the modern stand-ins: server contexts from the certificates the flags name (or a
# self-signed one, as the real binaries make when none is given), and the client side of a
# kubeconfig. Imported only where TLS is used: the ssl module costs about 2 MiB per process.
import base64
import json
import os
import ssl
import subprocess

from .common import run_path


def server_context(cert, key, client_ca=None):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    if client_ca:
        # As kube-apiserver: a client certificate is asked for and verified when given;
        # authorization then decides what an anonymous client may see.
        ctx.verify_mode = ssl.CERT_OPTIONAL
        ctx.load_verify_locations(client_ca)
    return ctx


def self_signed(name, hosts):
    """(cert, key) under /run/labsmith/: what a real component generates in memory (or in
    --cert-dir) when no serving certificate is given. Made once with openssl."""
    cert, key = run_path('%s-serving.crt' % name), run_path('%s-serving.key' % name)
    if not (os.path.exists(cert) and os.path.exists(key)):
        os.makedirs(os.path.dirname(cert), exist_ok=True)
        san = ','.join(('IP:%s' if h.replace('.', '').isdigit() else 'DNS:%s') % h for h in hosts)
        subprocess.check_call(['openssl', 'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1',
                               '-nodes', '-days', '3650', '-subj', '/CN=%s@labsmith-standin' % name, '-addext',
                               'subjectAltName=%s' % san, '-keyout', key, '-out', cert],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return cert, key


# ------------------------------------------------------------------ kubeconfig (YAML subset)

def _scalar(text):
    text = text.strip()
    if len(text) >= 2 and text[0] == text[-1] and text[0] in '"\'':
        return text[1:-1]
    return {'true': True, 'false': False, 'null': None, '~': None}.get(text, text)


def parse_yaml(text):
    """The block YAML that kubeconfigs use: maps, lists of maps, plain or quoted scalars."""
    if text.lstrip().startswith('{'):
        return json.loads(text)
    lines = []
    for raw in text.splitlines():
        s = raw.rstrip()
        if not s.strip() or s.strip().startswith('#') or s.strip() == '---':
            continue
        lines.append([len(s) - len(s.lstrip(' ')), s.strip()])

    def block(i, indent):
        if lines[i][1].startswith('-'):
            return seq(i, indent)
        return mapping(i, indent)

    def seq(i, indent):
        out = []
        while i < len(lines) and lines[i][0] == indent and lines[i][1].startswith('-'):
            rest = lines[i][1][1:].lstrip()
            if not rest:
                if i + 1 < len(lines) and lines[i + 1][0] > indent:
                    value, i = block(i + 1, lines[i + 1][0])
                else:
                    value, i = None, i + 1
            elif ':' in rest and not rest.startswith(('"', "'")):
                lines[i] = [indent + len(lines[i][1]) - len(rest), rest]
                value, i = mapping(i, lines[i][0])
            else:
                value, i = _scalar(rest), i + 1
            out.append(value)
        return out, i

    def mapping(i, indent):
        out = {}
        while i < len(lines) and lines[i][0] == indent and not lines[i][1].startswith('-'):
            key, _, value = lines[i][1].partition(':')
            key = _scalar(key)
            i += 1
            if value.strip():
                out[key] = _scalar(value)
            elif i < len(lines) and (lines[i][0] > indent or (lines[i][0] == indent and lines[i][1].startswith('-'))):
                out[key], i = block(i, lines[i][0])
            else:
                out[key] = None
        return out, i

    return block(0, lines[0][0])[0] if lines else {}


class Kubeconfig(object):
    """The current context's server and credentials."""

    def __init__(self, path):
        with open(path) as f:
            data = parse_yaml(f.read()) or {}
        self.path = path
        base = os.path.dirname(os.path.abspath(path))
        ctx_name = data.get('current-context')
        contexts = {c.get('name'): c.get('context') or {} for c in data.get('contexts') or []}
        ctx = contexts.get(ctx_name) or (list(contexts.values())[0] if contexts else {})
        clusters = {c.get('name'): c.get('cluster') or {} for c in data.get('clusters') or []}
        users = {u.get('name'): u.get('user') or {} for u in data.get('users') or []}
        cluster = clusters.get(ctx.get('cluster')) or (list(clusters.values())[0] if clusters else {})
        user = users.get(ctx.get('user')) or (list(users.values())[0] if users else {})
        self.server = cluster.get('server')
        if not self.server:
            raise ValueError('%s names no server' % path)
        self.insecure = cluster.get('insecure-skip-tls-verify') is True
        self.ca = self._file(cluster, 'certificate-authority', base)
        self.cert = self._file(user, 'client-certificate', base)
        self.key = self._file(user, 'client-key', base)

    def _file(self, section, field, base):
        if section.get(field + '-data'):
            # Inline data: written once to a private file, because ssl loads files only.
            path = run_path('kubeconfig-%s-%s' % (os.path.basename(self.path), field))
            os.makedirs(os.path.dirname(path), exist_ok=True)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, 'wb') as f:
                f.write(base64.b64decode(section[field + '-data']))
            return path
        value = section.get(field)
        return os.path.join(base, value) if value else None

    def ssl_context(self):
        """The client side: verify the server against the CA, present the client certificate."""
        if not self.server.startswith('https://'):
            return None
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        if self.insecure:
            ctx.check_hostname = False
            ctx.verify_mode = ssl.CERT_NONE
        elif self.ca:
            ctx.load_verify_locations(self.ca)
        else:
            ctx.load_default_certs()
        if self.cert and self.key:
            ctx.load_cert_chain(self.cert, self.key)
        return ctx
