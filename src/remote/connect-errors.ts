// ssh2's connection errors, worded for a person: which hop, which stage, and the likely cause.
import type { AuthPlan } from './auth.js';
import { describeSkips } from './auth.js';
import { prefix, type Endpoint } from './endpoint.js';
import { RemoteError } from './errors.js';
import type { ProcessStream } from './proxy-command.js';
import { describeTarget } from './target.js';

export function mapConnectError(
  err: Error & { level?: string; code?: string },
  host: string,
  ep: Endpoint,
  tried: string[],
  readyTimeoutMs: number,
  plan: AuthPlan | undefined,
  proxy: ProcessStream | undefined,
): RemoteError {
  const where = `${prefix(host, ep)}${describeTarget(ep)}${proxy ? ` (via proxy command ${proxy.argv[0]})` : ''}`;
  const proxyWhy = proxy?.describeExit();
  const proxyNote = proxyWhy ? `; proxy command ${proxyWhy}` : '';
  switch (err.level) {
    case 'client-timeout':
      if (/keepalive/i.test(err.message)) return new RemoteError('timeout', host, `${where}: no answer to keepalives; connection dropped`, { cause: err });
      return new RemoteError('timeout', host, `${where}: no SSH handshake and login within ${readyTimeoutMs} ms (host hung or filtered?)${proxyNote}`, { cause: err });
    case 'client-authentication': {
      const skipped = plan?.skipped.length ? `; not usable: ${describeSkips(plan.skipped)}` : '';
      return new RemoteError('auth', host, `${where}: the server refused authentication as ${ep.user}; offered: ${tried.join(', ') || 'nothing'}${skipped}`, { cause: err });
    }
    case 'client-socket': {
      const code = err.code ? ` (${err.code})` : '';
      const hint = err.code === 'ECONNREFUSED' ? ': connection refused, is sshd running and listening on that port?' : `: ${err.message}`;
      return new RemoteError('connect', host, `${where}${code}${hint}${proxyNote}`, { cause: err });
    }
    default: {
      const hint = /lost before handshake/i.test(err.message) && !proxy ? ' (the server hung up before its greeting: sshd MaxStartups reached, or a TCP wrapper or firewall?)' : '';
      return new RemoteError('connect', host, `${where}: SSH ${err.level ?? 'connection'} error: ${err.message}${hint}${proxyNote}`, { cause: err });
    }
  }
}
