// The render phase: Lab -> the files of every host, laid out by the playbooks and filled in
// from templates with view models computed in TypeScript. Pure apart from reading templates/
// and playbooks/ once; the same Lab (and PKI) always renders to the same bytes.
import { PLATFORMS, type Platform } from '../lab/schema.js';
import type { Lab, NodePlan } from '../lab/types.js';
import type { LabPki } from '../pki/types.js';
import { PLAYBOOKS_DIR, TEMPLATES_DIR } from './home.js';
import { hostFlags, hostView } from './host-view.js';
import { PlaybookError, Playbooks, type LaidOut } from './playbooks.js';
import { routerView, type RoutesOptions } from './router-view.js';
import { TemplateSet } from './templates.js';
import type { HostRender, RenderedFile } from './types.js';

export interface RendererDirs {
  templates: string;
  playbooks: string;
}

export interface RenderOptions {
  /** The lab's PKI; required for 1.x labs (ensurePki, or placeholderPki for golden files). */
  pki?: LabPki;
}

export interface Renderer {
  renderLab(lab: Lab, opts?: RenderOptions): HostRender[];
  renderRoutes(lab: Lab, platform?: Platform, opts?: RoutesOptions): string;
}

export function routesTemplate(platform: Platform): string {
  return `router/${platform}.hbs`;
}

export function createRenderer(dirs: RendererDirs): Renderer {
  const templates = new TemplateSet(dirs.templates);
  const playbooks = new Playbooks(dirs.playbooks);

  const fill = (laid: LaidOut[], view: Record<string, unknown>, where: string): RenderedFile[] => {
    const paths: Record<string, string> = {};
    for (const l of laid) paths[l.id] = l.path;
    const components = (view.components ?? {}) as Record<string, unknown>;
    return laid.map((l) => {
      let context: Record<string, unknown> = { ...view, paths };
      if (l.component !== undefined) {
        const component = components[l.component];
        if (component === undefined) throw new PlaybookError(`${where}: entry ${l.id}: component ${l.component} is not one of ${Object.keys(components).join(', ') || '(none)'}`);
        context = { ...context, component: { name: l.component, ...(component as object) } };
      }
      return { path: l.path, content: templates.render(l.template, context), mode: l.mode, owner: l.owner, group: l.group, ...(l.secret ? { secret: true } : {}), template: l.template, notifies: l.notifies };
    });
  };

  const renderNode = (lab: Lab, node: NodePlan, pki: LabPki | undefined): HostRender => {
    const laid = playbooks.layOut(node.role, { os: node.os, flags: hostFlags(lab, node) });
    return { host: node.name, role: node.role, address: node.address, files: fill(laid, hostView(lab, node, pki), `playbooks/${node.role}.yaml`) };
  };

  const renderRouter = (lab: Lab): HostRender => {
    const platform = lab.router.platform;
    const laid = playbooks.layOut('router', { platform, flags: {} });
    const view = routerView(lab, platform, { forFile: true }) as unknown as Record<string, unknown>;
    return { host: lab.router.name, role: 'router', address: lab.router.address, files: fill(laid, view, 'playbooks/router.yaml') };
  };

  return {
    renderLab(lab, opts = {}) {
      return [...lab.nodes.map((n) => renderNode(lab, n, opts.pki)), renderRouter(lab)];
    },
    renderRoutes(lab, platform = lab.router.platform, opts = {}) {
      if (!(PLATFORMS as readonly string[]).includes(platform)) throw new Error(`unknown router platform ${platform}`);
      return templates.render(routesTemplate(platform), routerView(lab, platform, opts));
    },
  };
}

let shared: Renderer | undefined;
function defaultRenderer(): Renderer {
  shared ??= createRenderer({ templates: TEMPLATES_DIR, playbooks: PLAYBOOKS_DIR });
  return shared;
}

/** Every file of every host: the nodes in lab order, then the router. */
export function renderLab(lab: Lab, opts?: RenderOptions): HostRender[] {
  return defaultRenderer().renderLab(lab, opts);
}

/** The switch's static-route configuration for a platform (default: the lab's), as printed
 * to paste: with --against's removals, the save lines on request, Junos's commit. */
export function renderRoutes(lab: Lab, platform?: Platform, opts?: RoutesOptions): string {
  return defaultRenderer().renderRoutes(lab, platform, opts);
}
