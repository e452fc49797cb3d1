// One status line per host while work runs: redrawn in place on a terminal, plain
// "host: step" lines otherwise, nothing at all under --json (stdout holds the document).
// log-update is loaded only at a terminal.
import { stderrColors as pc } from './colors.js';

export interface Progress {
  step(host: string, text: string): void;
  done(host: string, ok: boolean, text: string): void;
  /** A line that must stay visible (first contact with a host key, a warning). */
  note(text: string): void;
  stop(): void;
}

export async function makeProgress(mode: { json: boolean; stream?: NodeJS.WriteStream }): Promise<Progress> {
  const stream = mode.stream ?? process.stderr;
  if (mode.json) return { step() {}, done() {}, note: (t) => void stream.write(`${t}\n`), stop() {} };
  if (!stream.isTTY) {
    return {
      // Not a terminal (a log, CI): one line per host when it ends, not every step.
      step() {},
      done: (host, ok, text) => void stream.write(`${host}: ${ok ? 'done' : 'FAILED'}: ${text}\n`),
      note: (t) => void stream.write(`${t}\n`),
      stop() {},
    };
  }
  const { createLogUpdate } = await import('log-update');
  const lines = new Map<string, string>();
  const draw = createLogUpdate(stream, { showCursor: true });
  const width = () => Math.max(...[...lines.keys()].map((h) => h.length), 4);
  const render = () => draw([...lines].map(([h, l]) => `${h.padEnd(width())}  ${l}`).join('\n'));
  return {
    step(host, text) {
      lines.set(host, pc.dim(text));
      render();
    },
    done(host, ok, text) {
      lines.set(host, ok ? `${pc.green('✓')} ${text}` : `${pc.red('✗')} ${text}`);
      render();
    },
    note(text) {
      draw.clear();
      stream.write(`${text}\n`);
      render();
    },
    stop() {
      draw.done();
    },
  };
}
