// The hosts of a lab: who they are, how to reach them, what they run, and their shared facts.
export { emulatedCopyUp, labHosts, type HostRole, type LabHost, type LabHostsOptions } from './lab-hosts.js';
export { pushPlatform, readPlatform, type PushPlatform } from './router-platform.js';
export { physicalStateDir } from './state-dir.js';
export { NET_FACTS_SCRIPT, NET_FACT_SECTIONS, parseNetFacts, requireSections, FactsParseError, type NetFacts } from './net-facts.js';
