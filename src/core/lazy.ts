// Loading a dependency when it is first needed, not when labsmith starts: `labsmith --help`
// and `validate` must not pay for ssh2, handlebars or yaml's positioned parser.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** A CommonJS package, loaded on the first call and cached by Node after that. */
export function lazyRequire<T>(id: string): () => T {
  let mod: T | undefined;
  return () => (mod ??= require(id) as T);
}
