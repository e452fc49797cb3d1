# The Docker Engine API over its unix socket: what the kubelet stand-in needs of it. API
# version 1.40 (docker 19.03) and later accept every call here; Debian 12 ships 20.10 (1.41).
import json

from .httpd import request

API = '/v1.40'


class DockerError(Exception):
    pass


def _q(text):
    out = []
    for ch in text:
        out.append(ch if ch.isalnum() or ch in '-_.~' else ''.join('%%%02X' % b for b in ch.encode()))
    return ''.join(out)


class Docker(object):
    def __init__(self, socket_path):
        self.socket = socket_path

    def call(self, method, path, body=None, raw=None, ok=(200, 201, 204), timeout=60.0):
        headers = {}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers['Content-Type'] = 'application/json'
        elif raw is not None:
            data = raw
            headers['Content-Type'] = 'application/x-tar'
        status, _, out = request(API + path, method=method, body=data, headers=headers, unix=self.socket, timeout=timeout)
        if status not in ok:
            try:
                message = json.loads(out.decode()).get('message')
            except ValueError:
                message = out.decode('utf-8', 'replace').strip()
            raise DockerError('%s %s: %d %s' % (method, path.split('?')[0], status, message))
        return status, out

    def json(self, method, path, body=None, ok=(200, 201, 204)):
        _, out = self.call(method, path, body=body, ok=ok)
        return json.loads(out.decode()) if out.strip() else None

    def ping(self):
        self.call('GET', '/_ping', timeout=5.0)

    def image(self, ref):
        status, out = self.call('GET', '/images/%s/json' % _q(ref), ok=(200, 404))
        return json.loads(out.decode()) if status == 200 else None

    def import_image(self, tar, repo, tag, changes):
        q = 'fromSrc=-&repo=%s&tag=%s' % (_q(repo), _q(tag)) + ''.join('&changes=%s' % _q(c) for c in changes)
        _, out = self.call('POST', '/images/create?' + q, raw=tar, timeout=300.0)
        for line in out.decode().splitlines():
            try:
                msg = json.loads(line)
            except ValueError:
                continue
            if msg.get('error'):
                raise DockerError('import %s:%s: %s' % (repo, tag, msg['error']))

    def tag(self, ref, repo, tag):
        self.call('POST', '/images/%s/tag?repo=%s&tag=%s' % (_q(ref), _q(repo), _q(tag)))

    def containers(self, label):
        filters = json.dumps({'label': [label]})
        return self.json('GET', '/containers/json?all=1&filters=%s' % _q(filters))

    def inspect(self, cid):
        return self.json('GET', '/containers/%s/json' % cid)

    def create(self, name, config):
        return self.json('POST', '/containers/create?name=%s' % _q(name), body=config)['Id']

    def start(self, cid):
        self.call('POST', '/containers/%s/start' % cid, ok=(204, 304))

    def remove(self, cid):
        self.call('DELETE', '/containers/%s?force=1&v=1' % cid, ok=(204, 404))


def split_ref(ref):
    """"registry:5000/a/b:tag" -> ("registry:5000/a/b", "tag"); no tag means latest."""
    name, tag = ref, 'latest'
    slash = ref.rfind('/')
    colon = ref.rfind(':')
    if colon > slash:
        name, tag = ref[:colon], ref[colon + 1:]
    return name, tag
