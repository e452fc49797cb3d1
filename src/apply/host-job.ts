// What apply does on one host, from its rendered files: the facts command to run and how
// to turn its output into a plan.
import type { Lab } from '../lab/types.js';
import type { HostRender } from '../render/types.js';
import { factsCommand, FACTS_SCRIPT } from './facts-command.js';
import { parseNodeFacts } from './facts-parse.js';
import { planNode, planRouter, type HostChanges } from './host-changes.js';
import { diffRoutes, parseOwnedRoutes, routeFactsScript, type PushPlatform } from './router-routes.js';

export interface HostJob {
  host: string;
  render: HostRender;
  factsArgv: string[];
  plan(factsOutput: string): HostChanges;
}

export function nodeJob(lab: Lab, render: HostRender): HostJob {
  const node = lab.nodes.find((n) => n.name === render.host)!;
  return {
    host: render.host,
    render,
    factsArgv: factsCommand(render.files.map((f) => f.path)),
    plan: (out) => planNode(render, node, parseNodeFacts(out)),
  };
}

export function routerJob(lab: Lab, render: HostRender, platform: PushPlatform): HostJob {
  // The route section rides in the same single command as the file facts.
  const script = `${FACTS_SCRIPT}\n${routeFactsScript(platform)}\necho "@routesend"`;
  return {
    host: render.host,
    render,
    factsArgv: ['sh', '-c', script, 'labsmith-facts', ...render.files.map((f) => f.path)],
    plan(out) {
      const section = /\n@routes\n([\s\S]*?)\n?@routesend/.exec(`\n${out}`)?.[1];
      if (section === undefined) throw new Error(`no route facts from ${render.host}: is ${platform === 'frr' ? 'FRR (vtysh)' : 'iproute2'} there?`);
      const owned = parseOwnedRoutes(platform, section);
      return planRouter(render, parseNodeFacts(out.slice(0, out.indexOf('@routes\n'))), platform, diffRoutes(lab.router.routes, owned), owned);
    },
  };
}
