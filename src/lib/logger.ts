/**
 * The logger shape every component receives (pino's, narrowed). Components never build their
 * own root logger; bootstrap/ does and hands out children ({scope: 'file-source'}).
 */
export interface LogFn {
  (msg: string): void;
  (fields: Record<string, unknown>, msg: string): void;
}

export interface Logger {
  readonly debug: LogFn;
  readonly info: LogFn;
  readonly warn: LogFn;
  readonly error: LogFn;
  child(bindings: Record<string, unknown>): Logger;
}

/** A logger that drops everything: the default for pure code paths and tests. */
export const silentLogger: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  child: () => silentLogger,
};
