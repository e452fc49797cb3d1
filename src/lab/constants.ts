// The lab file's fixed vocabularies, apart from the schema so that the command line can name
// them (help texts, option checks) without loading the validator.
export const OS_FAMILIES = ['centos7', 'debian12', 'ubuntu22'] as const;
export const PLATFORMS = ['ios', 'nxos', 'eos', 'junos', 'frr', 'vyos', 'linux', 'routeros'] as const;
export const PROXY_MODES = ['userspace', 'iptables', 'ipvs'] as const;
export const ROLES = ['master', 'minion', 'node', 'worker'] as const;

export type Platform = (typeof PLATFORMS)[number];
export type OsFamily = (typeof OS_FAMILIES)[number];
export type ProxyMode = (typeof PROXY_MODES)[number];
