// The render phase's public face.
export type { Handler, HostRender, RenderedFile } from './types.js';
export { renderLab, renderRoutes, createRenderer, routesTemplate, type Renderer, type RendererDirs, type RenderOptions } from './render.js';
export { FRR_ROUTE_TAG, LINUX_ROUTE_PROTO, ROUTE_COMMENT_PREFIX } from './ownership.js';
export { TemplateError } from './templates.js';
export { PlaybookError } from './playbooks.js';
