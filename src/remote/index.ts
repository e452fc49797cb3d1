// The transport's public face: what apply and verify import.
export { shellQuote, shellQuoteArg } from './quote.js';
export { RemoteError, isRemoteError, toRemoteError, type RemoteErrorKind } from './errors.js';
export { formatRemoteEvent, type RemoteEvent, type RemoteEventListener } from './events.js';
export { describeTarget, type RemoteTarget } from './target.js';
export { fingerprintSha256, hostKeyName, KnownHosts, checkHostKey } from './known-hosts.js';
export { PASSPHRASE_ENV } from './auth.js';
export { RemoteHost, type RemoteOptions, type ExecOptions, type ExecResult, type RemoteCounters } from './connection.js';
export { isLabsmithTemp, TEMP_INFIX, BACKUP_SUFFIX, type WriteFileOptions, type WriteFileResult } from './atomic-write.js';
export { forEachHost, connectAll, DEFAULT_CONCURRENCY, type PoolOptions, type PoolOutcome, type ConnectedPool } from './pool.js';
