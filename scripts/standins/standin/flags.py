# Command-line parsing the way the real binaries parse: spf13/pflag, which every Kubernetes
# binary has used since late 2014.
#   --name=value, --name value (not for booleans), --bool, --bool=false, -v=N / -v N
#   "--" ends the flags; an unknown flag is an error: "unknown flag: --x" (exit 2).
# Typed flags are checked while parsing, as pflag's Set() does (ints, booleans, IPs, CIDRs,
# durations), with pflag's wording: invalid argument "x" for "--port" flag: ...
# Modern binaries normalise "_" to "-" and warn (component-base's WarnWordSepNormalizeFunc);
# the legacy ones (2014-15) had no normaliser: --etcd-servers was simply unknown there.
import re

BOOL, INT, STRING, IP, CIDR, DURATION, FLOAT, LIST, MAP = 'bool', 'int', 'string', 'ip', 'cidr', 'duration', 'float', 'list', 'map'
# A string flag with a value when given bare (--version means --version=true; --version=raw).
OPT = 'opt'

_TRUE = ('1', 't', 'T', 'true', 'TRUE', 'True')
_FALSE = ('0', 'f', 'F', 'false', 'FALSE', 'False')
_DURATION = re.compile(r'^[-+]?(\d+(\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)((\d+(\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h))*$')


class FlagError(Exception):
    """A command line the real binary would refuse while parsing (exit status 2)."""


def parse_bool(text):
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueError('strconv.ParseBool: parsing "%s": invalid syntax' % text)


def parse_ipv4(text):
    parts = text.split('.')
    if len(parts) != 4 or not all(p.isdigit() and len(p) <= 3 and int(p) <= 255 for p in parts):
        raise ValueError('failed to parse IP: "%s"' % text)
    return text


def parse_cidr(text):
    ip, _, length = text.partition('/')
    try:
        parse_ipv4(ip)
    except ValueError:
        raise ValueError('invalid CIDR address: %s' % text)
    if not length.isdigit() or int(length) > 32:
        raise ValueError('invalid CIDR address: %s' % text)
    return text


def parse_duration(text):
    if text == '0' or _DURATION.match(text):
        return text
    raise ValueError('time: invalid duration "%s"' % text)


def _convert(kind, text):
    if kind == BOOL:
        return parse_bool(text)
    if kind == INT:
        try:
            return int(text, 0) if text.lower().startswith(('0x', '0o', '0b')) else int(text)
        except ValueError:
            raise ValueError('strconv.ParseInt: parsing "%s": invalid syntax' % text)
    if kind == FLOAT:
        try:
            return float(text)
        except ValueError:
            raise ValueError('strconv.ParseFloat: parsing "%s": invalid syntax' % text)
    if kind == IP:
        return parse_ipv4(text) if text else text
    if kind == CIDR:
        return parse_cidr(text) if text else text
    if kind == DURATION:
        return parse_duration(text)
    if kind == LIST:
        return [x for x in text.split(',')] if text else []
    if kind == MAP:
        out = {}
        for pair in filter(None, text.split(',')):
            k, eq, v = pair.partition('=')
            if not eq:
                raise ValueError('%s must be formatted as key=value' % pair)
            out[k.strip()] = v.strip()
        return out
    return text


class Parsed(object):
    def __init__(self):
        self.values = {}
        self.args = []
        self.warnings = []

    def get(self, name, default=None):
        return self.values.get(name, default)

    def has(self, name):
        return name in self.values


def parse(argv, table, normalize):
    """Parses argv (without the program name) against table {name: kind}. normalize: modern
    binaries turn "_" into "-" (with a warning). Raises FlagError like pflag would."""
    out = Parsed()
    i = 0
    while i < len(argv):
        arg = argv[i]
        i += 1
        if arg == '--':
            out.args.extend(argv[i:])
            break
        if not arg.startswith('-') or arg == '-':
            out.args.append(arg)
            continue
        if arg.startswith('--'):
            name, eq, value = arg[2:].partition('=')
            if not name or name.startswith('-') or name.startswith('='):
                raise FlagError('bad flag syntax: %s' % arg)
            shown = '--' + name
        else:
            # Shorthands: the Kubernetes binaries define -v (klog's level) and -h (help).
            name, eq, value = arg[1:].partition('=')
            long = {'v': 'v', 'h': 'help'}.get(name)
            if long is None or long not in table:
                raise FlagError("unknown shorthand flag: '%s' in %s" % (name[:1], arg))
            shown, name = '-' + name, long
        if normalize and '_' in name:
            new = name.replace('_', '-')
            out.warnings.append('using an underscore in a flag name is not supported. %s has been converted to %s.' % (name, new))
            name = new
        kind = table.get(name)
        if kind is None:
            raise FlagError('unknown flag: %s' % shown)
        if not eq:
            if kind in (BOOL, OPT):
                value = 'true'
            elif i < len(argv):
                value = argv[i]
                i += 1
            else:
                raise FlagError('flag needs an argument: %s' % shown)
        try:
            out.values[name] = _convert(kind, value)
        except ValueError as e:
            raise FlagError('invalid argument "%s" for "%s" flag: %s' % (value, shown, e))
    return out
