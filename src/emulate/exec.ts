// Run a command inside an emulated host: nsenter into its PID 1's mount, uts, ipc, net, pid
// and cgroup namespaces, so the command sees the host's files, name, addresses and processes.
import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import { UsageError } from '../core/errors.js';
import { labPaths } from './paths.js';
import { hostAlive, readState, type HostState } from './state.js';

/** The host, checked to be running; throws a UsageError when the lab or host is not up. */
export async function runningHost(labName: string, hostName: string, file: string, env?: NodeJS.ProcessEnv): Promise<HostState> {
  const state = await readState(labPaths(labName, env).state);
  if (!state || state.phase !== 'up') throw notUp(labName, file);
  const host = state.hosts.find((h) => h.name === hostName);
  if (!host) throw new UsageError(`lab ${labName} has no host ${hostName}`, `hosts: ${state.hosts.map((h) => h.name).join(', ')}`);
  if (!hostAlive(host)) throw new UsageError(`host ${hostName} of lab ${labName} is not running`, `see labsmith emulate status ${file}; labsmith down ${file} && labsmith up ${file} rebuilds it`);
  return host;
}

export function notUp(labName: string, file: string): UsageError {
  return new UsageError(`the emulated lab ${labName} is not up`, `start it with: labsmith emulate up ${file}`);
}

/** argv for running `command` inside the host (no shell involved). */
export function execArgv(nsenter: string, host: HostState, command: string[]): string[] {
  return [nsenter, '-t', String(host.initPid), '-m', '-u', '-i', '-n', '-p', '-C', '--', ...command];
}

/** Runs the command with this process's stdio; resolves to its exit status (128+n for a signal). */
export function execInHost(nsenter: string, host: HostState, command: string[]): Promise<number> {
  const [cmd, ...args] = execArgv(nsenter, host, command);
  return new Promise((resolve, reject) => {
    const child = spawn(cmd!, args, { stdio: 'inherit', env: { ...process.env, HOME: '/root' } });
    child.on('error', reject);
    child.on('exit', (code, signal) => resolve(code ?? 128 + (signal ? signalNumber(signal) : 1)));
  });
}

function signalNumber(signal: NodeJS.Signals): number {
  return (constants.signals as Record<string, number>)[signal] ?? 1;
}
