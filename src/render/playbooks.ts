// playbooks/<role>.yaml: data saying which template goes to which path on a host of that
// role, with which mode and owner, and which handlers a change notifies. Read once, checked
// with zod, and interpreted here; the format is documented at the top of each playbook.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { z } from 'zod';
import { OS_FAMILIES, PLATFORMS, type OsFamily, type Platform } from '../lab/schema.js';
import type { Handler, NetworkHandler } from './types.js';

export type PlaybookRole = 'master' | 'minion' | 'router';
export const PLAYBOOK_ROLES: readonly PlaybookRole[] = ['master', 'minion', 'router'];

export class PlaybookError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PlaybookError';
  }
}

const perOs = <T extends z.ZodType>(t: T) => z.union([t, z.partialRecord(z.enum(OS_FAMILIES), t)]);
const absolute = z.string().regex(/^\/[A-Za-z0-9._/@-]*$/, { message: 'must be an absolute path' });
const handler = z.string().regex(/^(daemon-reload|restart [A-Za-z0-9@._-]+\.(service|socket)|network (docker0|forwarding|default-route|sysctl|modules))$/, {
  message: 'must be "daemon-reload", "restart <unit>.service|.socket" or "network docker0|forwarding|default-route|sysctl|modules"',
});

const entrySchema = z.strictObject({
  id: z.string().regex(/^[a-z][A-Za-z0-9]*$/, { message: 'must be a camelCase name' }),
  template: perOs(z.string().regex(/^[a-z0-9][A-Za-z0-9._/-]*\.hbs$/, { message: 'must be a path under templates/ ending in .hbs' })),
  path: perOs(absolute),
  mode: z
    .string({ error: 'must be a quoted octal mode such as "0644" (unquoted, YAML reads it as a number)' })
    .regex(/^0[0-7]{3}$/, { message: 'must be a quoted octal mode such as "0644"' })
    .default('0644'),
  owner: z.string().default('root'),
  group: z.string().default('root'),
  notifies: z.array(handler).default([]),
  when: z.string().regex(/^!?[a-z][A-Za-z0-9]*$/).optional(),
  component: z.string().optional(),
  secret: z.boolean().default(false),
  platform: z.array(z.enum(PLATFORMS)).optional(),
});
const playbookSchema = z.strictObject({ files: z.array(entrySchema).min(1) });

export type PlaybookEntry = z.output<typeof entrySchema>;

/** One file an entry lays out on one host. */
export interface LaidOut {
  id: string;
  template: string;
  path: string;
  mode: number;
  owner: string;
  group: string;
  notifies: Handler[];
  component?: string;
  secret: boolean;
}

export interface HostFacts {
  os?: OsFamily;
  platform?: Platform;
  /** Booleans of the host's view that `when:` may name. */
  flags: Record<string, boolean>;
}

export class Playbooks {
  private readonly cache = new Map<PlaybookRole, PlaybookEntry[]>();

  constructor(readonly dir: string) {}

  entries(role: PlaybookRole): PlaybookEntry[] {
    let hit = this.cache.get(role);
    if (!hit) {
      hit = loadPlaybook(path.join(this.dir, `${role}.yaml`));
      this.cache.set(role, hit);
    }
    return hit;
  }

  /** The files a host of this role gets, in playbook order. */
  layOut(role: PlaybookRole, facts: HostFacts): LaidOut[] {
    const out: LaidOut[] = [];
    for (const e of this.entries(role)) {
      if (e.platform && (!facts.platform || !e.platform.includes(facts.platform))) continue;
      if (e.when !== undefined) {
        const name = e.when.replace(/^!/, '');
        const value = facts.flags[name];
        if (value === undefined) throw new PlaybookError(`playbooks/${role}.yaml: entry ${e.id}: when: ${name} is not a known condition (known: ${Object.keys(facts.flags).join(', ')})`);
        if (value === e.when.startsWith('!')) continue;
      }
      const template = pick(e.template, facts.os);
      const filePath = pick(e.path, facts.os);
      if (template === undefined || filePath === undefined) continue;
      out.push({
        id: e.id,
        template,
        path: filePath,
        mode: parseInt(e.mode, 8),
        owner: e.owner,
        group: e.group,
        notifies: e.notifies.map(parseHandler),
        ...(e.component ? { component: e.component } : {}),
        secret: e.secret,
      });
    }
    return out;
  }
}

function pick(value: string | Partial<Record<OsFamily, string>>, os: OsFamily | undefined): string | undefined {
  if (typeof value === 'string') return value;
  return os === undefined ? undefined : value[os];
}

export function parseHandler(text: string): Handler {
  if (text === 'daemon-reload') return { kind: 'daemon-reload' };
  const [verb, arg] = text.split(' ') as [string, string];
  if (verb === 'restart') return { kind: 'restart', unit: arg };
  return { kind: 'network', what: arg as NetworkHandler };
}

function loadPlaybook(file: string): PlaybookEntry[] {
  const rel = `playbooks/${path.basename(file)}`;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new PlaybookError(`${rel}: cannot read: ${(err as Error).message}`);
  }
  let data: unknown;
  try {
    data = parse(text);
  } catch (err) {
    throw new PlaybookError(`${rel}: ${(err as Error).message}`);
  }
  const result = playbookSchema.safeParse(data);
  if (!result.success) {
    const first = result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new PlaybookError(`${rel}: ${first}`);
  }
  const seen = new Set<string>();
  for (const e of result.data.files) {
    if (e.secret && (parseInt(e.mode, 8) & 0o077) !== 0) throw new PlaybookError(`${rel}: id ${e.id}: a secret file must not be readable by group or others (mode ${e.mode}; use "0600")`);
    if (seen.has(e.id)) throw new PlaybookError(`${rel}: id ${e.id} appears twice`);
    seen.add(e.id);
  }
  return result.data.files;
}
