// The emulated lab: any lab file becomes real hosts (namespaces, sshd, FRR) on this machine.
export { emulateDown, type DownResult } from './down.js';
export { execInHost, runningHost } from './exec.js';
export { labPaths, stateBase, type LabPaths } from './paths.js';
export { aptPackages, checkPreflight, preflight, type Tools } from './preflight.js';
export { readState, type EmuState, type HostState } from './state.js';
export { emulateStatus, formatStatus, type LabStatus, type HostStatus } from './status.js';
export { emulatedTargets, type EmulatedTarget } from './targets.js';
export { topologyOf, type EmuHost, type Topology } from './topology.js';
export { emulateUp, type UpOptions, type UpResult } from './up.js';
