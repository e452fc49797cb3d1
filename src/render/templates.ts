// Handlebars, held to "no logic in templates": strict lookups, no escaping (these are config
// files, not HTML), only the built-in helpers, and if/unless/each refuse an undefined value
// (Handlebars' strict mode does not cover helper arguments), so a misspelt name in a template
// is an error naming the file and line, never an empty string in a config file.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import Handlebars from 'handlebars';

export class TemplateError extends Error {
  constructor(
    readonly template: string,
    readonly line: number | undefined,
    readonly detail: string,
  ) {
    super(`templates/${template}${line === undefined ? '' : `:${line}`}: ${detail}`);
    this.name = 'TemplateError';
  }
}

type Compiled = (context: object) => string;

const COMPILE_OPTIONS = { strict: true, noEscape: true, knownHelpersOnly: true } as const;

interface HelperOptions {
  loc?: { start?: { line?: number } };
  name?: string;
}

function guarded(env: typeof Handlebars, name: 'if' | 'unless' | 'each'): void {
  const original = env.helpers[name] as (this: unknown, ...args: unknown[]) => unknown;
  env.registerHelper(name, function (this: unknown, ...args: unknown[]) {
    const options = args[args.length - 1] as HelperOptions;
    if (args.length < 2 || args[0] === undefined) {
      const line = options.loc?.start?.line;
      throw Object.assign(new Error(`{{#${name}}} on an undefined value${line === undefined ? '' : ` - ${line}:0`}`), { lineNumber: line });
    }
    return original.apply(this, args);
  });
}

/** Compiles each template once, on first use, and keeps it. */
export class TemplateSet {
  private readonly env = Handlebars.create();
  private readonly cache = new Map<string, Compiled>();

  constructor(readonly dir: string) {
    guarded(this.env, 'if');
    guarded(this.env, 'unless');
    guarded(this.env, 'each');
  }

  /** Render templates/<name> with a context; errors name the template file and line. */
  render(name: string, context: object): string {
    const template = this.load(name);
    try {
      return template(context);
    } catch (err) {
      throw wrap(name, err);
    }
  }

  private load(name: string): Compiled {
    const hit = this.cache.get(name);
    if (hit) return hit;
    let source: string;
    try {
      source = readFileSync(path.join(this.dir, name), 'utf8');
    } catch (err) {
      throw new TemplateError(name, undefined, `cannot read template: ${(err as Error).message}`);
    }
    let compiled: Compiled;
    try {
      // Parse now, so a syntax error surfaces at load time with its line.
      this.env.parse(source);
      compiled = this.env.compile(source, COMPILE_OPTIONS);
    } catch (err) {
      throw wrap(name, err);
    }
    this.cache.set(name, compiled);
    return compiled;
  }
}

function wrap(name: string, err: unknown): TemplateError {
  if (err instanceof TemplateError) return err;
  const e = err as Error & { lineNumber?: number };
  let message = e?.message ?? String(err);
  let line = e?.lineNumber;
  const parse = /^Parse error on line (\d+):\n/.exec(message);
  if (parse) {
    line = Number(parse[1]);
    message = `parse error: ${message.slice(parse[0].length).split('\n').pop()}`;
  }
  message = message.replace(/ - \d+:\d+$/, '').replace(/ in \[object Object\]$/, '');
  return new TemplateError(name, line, message);
}
