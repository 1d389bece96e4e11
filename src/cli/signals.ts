/** Ctrl-C (SIGINT) and SIGTERM for the commands that must not be cut short while they save. */

/** Exit codes after a signal, as shells report them: 128 + the signal's number. */
export const SIGNAL_EXIT_CODES = { SIGINT: 130, SIGTERM: 143 } as const;
export type StopSignal = keyof typeof SIGNAL_EXIT_CODES;

/**
 * Calls `handler` on SIGINT and SIGTERM instead of letting them kill the
 * process, until the returned function is called.
 * @example
 * const restore = onStopSignals((signal) => process.exit(SIGNAL_EXIT_CODES[signal]));
 * try { await save(); } finally { restore(); }
 */
export function onStopSignals(handler: (signal: StopSignal) => void): () => void {
  const onInt = (): void => handler('SIGINT');
  const onTerm = (): void => handler('SIGTERM');
  process.on('SIGINT', onInt);
  process.on('SIGTERM', onTerm);
  return () => {
    process.removeListener('SIGINT', onInt);
    process.removeListener('SIGTERM', onTerm);
  };
}
