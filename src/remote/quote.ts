// POSIX sh quoting. Every remote command is built from an argument list and quoted here, so a
// value taken from a lab file reaches the remote program as one argv entry and never becomes
// shell syntax (no expansion, no word splitting, no command separators).

/** Characters that need no quoting anywhere in a word. Deliberately excludes `=` (a leading
 * `NAME=value` word is an assignment), `~` (tilde expansion), `#` (comment) and braces. */
const SAFE_WORD = /^[A-Za-z0-9_\-.,:/@%+]+$/;

/** Quote one argument for POSIX sh. */
export function shellQuoteArg(arg: string): string {
  if (arg.includes('\0')) {
    throw new TypeError(`cannot pass a NUL byte in a shell argument: ${JSON.stringify(arg.length > 80 ? `${arg.slice(0, 80)}...` : arg)}`);
  }
  if (SAFE_WORD.test(arg)) return arg;
  // Inside single quotes nothing is special except the closing quote: end the quoted run,
  // add an escaped quote, and start a new one.
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}

/** Quote an argument list into one POSIX sh command line: `sh -c "$(shellQuote(argv))"` runs
 * exactly argv. */
export function shellQuote(args: readonly string[]): string {
  if (args.length === 0) throw new TypeError('shellQuote: empty argument list');
  return args.map(shellQuoteArg).join(' ');
}
