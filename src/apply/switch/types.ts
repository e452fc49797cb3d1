// What apply needs of a switch it can push to: a constant script section that prints the
// running routes, a parser that keeps the routes labsmith owns, and the commands that
// carry a set of changes out.
export interface OwnedRoute {
  prefix: string;
  via: string;
}

export interface RouteChange {
  action: 'add' | 'replace' | 'remove';
  prefix: string;
  via: string;
  /** The next hop it replaces. */
  was?: string;
  node?: string;
}

export interface SwitchDriver {
  /** Shell text (a constant) that prints the running routes after a line "@routes". */
  factsScript: string;
  parseOwned(section: string): OwnedRoute[];
  /** argv lists, run in order after the file uploads. */
  commands(changes: readonly RouteChange[], owned: readonly OwnedRoute[]): string[][];
}
