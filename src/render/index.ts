// The render phase's public face.
export type { Handler, HostRender, RenderedFile } from './types.js';
export { renderLab, renderRoutes, createRenderer, routesTemplate, type Renderer, type RendererDirs, type RenderOptions } from './render.js';
export { FRR_ROUTE_TAG, LINUX_ROUTE_PROTO, ROUTE_COMMENT_PREFIX, ROUTE_NAME_PREFIX, ROUTE_TAG } from './ownership.js';
export type { RoutesOptions } from './router-view.js';
export { CAPTURE_COMMANDS, parseCapture, planAgainst, readAgainst, type AgainstPlan } from './router/against.js';
export type { Capture, CapturedRoute } from './router/captured.js';
export { TemplateError } from './templates.js';
export { PlaybookError } from './playbooks.js';
