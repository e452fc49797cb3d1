import test from 'ava';
import type { EmulatedTarget } from '../../src/emulate/targets.js';
import { describeTarget, type RemoteTarget } from '../../src/remote/target.js';

test('an emulated target is a RemoteTarget as it stands (checked by the compiler)', (t) => {
  const emulated: EmulatedTarget = {
    host: 'kubmasta',
    kind: 'node' as EmulatedTarget['kind'],
    address: '10.20.30.61',
    port: 22,
    user: 'root',
    privateKeyPath: '/var/lib/labsmith/k101/id_ed25519',
    knownHostsPath: '/var/lib/labsmith/k101/known_hosts',
    proxyCommand: ['ip', 'netns', 'exec', 'ls-kubmasta', 'socat', 'STDIO', 'TCP:10.20.30.61:22'],
    netns: 'ls-kubmasta',
  };
  const remote: RemoteTarget = emulated;
  t.is(describeTarget(remote), 'root@10.20.30.61:22');
});
