# A small HTTP/1.1 server and client on plain sockets. The standard library's http.server and
# http.client pull in the email package and cost about 5 MiB more per process; an emulated lab
# runs hundreds of stand-ins. One request per connection ("Connection: close"), enough for
# health checks, the kubelet's polling, the Docker Engine API and kubectl.
import json
import socket
import threading

REASONS = {200: 'OK', 201: 'Created', 204: 'No Content', 304: 'Not Modified', 400: 'Bad Request',
           401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 405: 'Method Not Allowed',
           406: 'Not Acceptable', 500: 'Internal Server Error', 503: 'Service Unavailable'}

threading.stack_size(512 * 1024)


class Request(object):
    def __init__(self, method, target, headers, body, peer, peer_cert):
        self.method = method
        self.path, _, self.query_string = target.partition('?')
        self.headers = headers
        self.body = body
        self.peer = peer
        # The verified client certificate (TLS with a client CA), as ssl's getpeercert() gives it.
        self.peer_cert = peer_cert

    def query(self):
        out = {}
        for pair in filter(None, self.query_string.split('&')):
            k, _, v = pair.partition('=')
            out[unquote(k)] = unquote(v)
        return out


def unquote(text):
    text = text.replace('+', ' ')
    if '%' not in text:
        return text
    parts = text.split('%')
    out = bytearray(parts[0].encode())
    for p in parts[1:]:
        try:
            out.append(int(p[:2], 16))
            out.extend(p[2:].encode())
        except ValueError:
            out.extend(('%' + p).encode())
    return out.decode('utf-8', 'replace')


def _read_head(conn, limit=65536):
    data = b''
    while b'\r\n\r\n' not in data:
        chunk = conn.recv(4096)
        if not chunk:
            return None, b''
        data += chunk
        if len(data) > limit:
            return None, b''
    head, _, rest = data.partition(b'\r\n\r\n')
    return head.decode('latin-1'), rest


def _headers(lines):
    out = {}
    for line in lines:
        k, _, v = line.partition(':')
        out[k.strip().lower()] = v.strip()
    return out


class Server(object):
    """Serves handler(Request) -> (status, content_type, body) on any number of listeners."""

    def __init__(self, handler, log):
        self.handler = handler
        self.log = log
        self.sockets = []

    def listen(self, host, port, ssl_context=None, family=socket.AF_INET):
        s = socket.socket(family, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind((host, port))
        s.listen(128)
        self.sockets.append(s)
        t = threading.Thread(target=self._accept, args=(s, ssl_context))
        t.daemon = True
        t.start()
        return s

    def _accept(self, s, ssl_context):
        while True:
            try:
                conn, peer = s.accept()
            except OSError:
                return
            t = threading.Thread(target=self._serve, args=(conn, peer, ssl_context))
            t.daemon = True
            t.start()

    def _serve(self, conn, peer, ssl_context):
        try:
            conn.settimeout(30)
            peer_cert = None
            if ssl_context is not None:
                conn = ssl_context.wrap_socket(conn, server_side=True)
                peer_cert = conn.getpeercert() or None
            head, rest = _read_head(conn)
            if head is None:
                return
            lines = head.split('\r\n')
            parts = lines[0].split(' ')
            if len(parts) != 3:
                return self._send(conn, 400, 'text/plain', b'bad request line\n')
            headers = _headers(lines[1:])
            if headers.get('transfer-encoding', '').lower() == 'chunked':
                body = _read_chunked(conn, rest)
            else:
                length = int(headers.get('content-length', '0') or 0)
                while len(rest) < length:
                    chunk = conn.recv(65536)
                    if not chunk:
                        break
                    rest += chunk
                body = rest[:length]
            req = Request(parts[0], parts[1], headers, body, peer, peer_cert)
            try:
                status, ctype, body = self.handler(req)
            except Exception as e:  # a bug in a handler must not take the server down
                self.log.error('handler failed for %s %s: %r' % (parts[0], parts[1], e))
                status, ctype, body = 500, 'text/plain', b'internal error\n'
            self._send(conn, status, ctype, body)
        except (OSError, ValueError) as e:
            # TLS handshakes that fail (a client without the CA) land here, as on a real server.
            self.log.info('connection from %s: %s' % (peer[0] if isinstance(peer, tuple) else peer, e))
        finally:
            try:
                conn.close()
            except OSError:
                pass

    @staticmethod
    def _send(conn, status, ctype, body):
        if isinstance(body, str):
            body = body.encode()
        head = 'HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %d\r\nConnection: close\r\n\r\n' % (
            status, REASONS.get(status, 'Status'), ctype, len(body))
        conn.sendall(head.encode() + body)


def json_body(obj):
    return json.dumps(obj, separators=(',', ':')).encode()


class HTTPError(Exception):
    pass


def request(url, method='GET', body=None, headers=None, ssl_context=None, unix=None, timeout=10.0):
    """(status, headers, body) of one request. url: http(s)://host:port/path, or a path with
    unix=socket path (the Docker Engine API)."""
    if unix:
        host, port, path = 'localhost', None, url
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.settimeout(timeout)
        s.connect(unix)
    else:
        scheme, _, rest = url.partition('://')
        hostport, slash, path = rest.partition('/')
        path = slash + path
        host, _, port = hostport.rpartition(':')
        if not host:
            host, port = hostport, '443' if scheme == 'https' else '80'
        s = socket.create_connection((host, int(port)), timeout=timeout)
        if scheme == 'https':
            if ssl_context is None:
                raise HTTPError('https needs a TLS context')
            s = ssl_context.wrap_socket(s, server_hostname=host)
    try:
        if isinstance(body, str):
            body = body.encode()
        h = {'Host': host if unix or port in (None, '80', '443') else '%s:%s' % (host, port),
             'Connection': 'close', 'User-Agent': 'labsmith-standin'}
        if body is not None:
            h['Content-Length'] = str(len(body))
        h.update(headers or {})
        head = '%s %s HTTP/1.1\r\n%s\r\n' % (method, path or '/', ''.join('%s: %s\r\n' % kv for kv in h.items()))
        s.sendall(head.encode() + (body or b''))
        raw_head, rest = _read_head(s, limit=1 << 20)
        if raw_head is None:
            raise HTTPError('no response from %s' % (unix or url))
        lines = raw_head.split('\r\n')
        status = int(lines[0].split(' ')[1])
        rh = _headers(lines[1:])
        if method == 'HEAD' or status in (204, 304):
            return status, rh, b''
        if rh.get('transfer-encoding', '').lower() == 'chunked':
            return status, rh, _read_chunked(s, rest)
        if 'content-length' in rh:
            n = int(rh['content-length'])
            while len(rest) < n:
                chunk = s.recv(65536)
                if not chunk:
                    break
                rest += chunk
            return status, rh, rest[:n]
        while True:
            chunk = s.recv(65536)
            if not chunk:
                return status, rh, rest
            rest += chunk
    finally:
        s.close()


def _read_chunked(s, data):
    out = b''
    while True:
        while b'\r\n' not in data:
            chunk = s.recv(65536)
            if not chunk:
                return out
            data += chunk
        size_line, _, data = data.partition(b'\r\n')
        size = int(size_line.split(b';')[0].strip() or b'0', 16)
        if size == 0:
            return out
        while len(data) < size + 2:
            chunk = s.recv(65536)
            if not chunk:
                return out + data[:size]
            data += chunk
        out += data[:size]
        data = data[size + 2:]
