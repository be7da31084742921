/**
 * The one pino root logger: JSON lines, or pretty output when stdout is a terminal.
 * Scopes (Istio's `--log_output_level default:info,ads:debug`) map to child loggers' levels.
 */
import { pino, type Level } from 'pino';
import pretty from 'pino-pretty';
import type { LogLevel } from '../config/options.js';
import type { Logger } from '../lib/logger.js';

function pinoLevel(level: LogLevel): Level | 'silent' {
  return level === 'none' ? 'silent' : level;
}

export interface RootLogger {
  /** A child logger for one component, with that scope's level. */
  scoped(scope: string): Logger;
  flush(): void;
}

export function createRootLogger(levels: Readonly<Record<string, LogLevel>>, destination: NodeJS.WritableStream = process.stdout): RootLogger {
  const base = pinoLevel(levels.default ?? 'info');
  const isTTY = (destination as { isTTY?: boolean }).isTTY === true;
  const stream = isTTY ? pretty({ colorize: true, destination: 1, sync: true }) : destination;
  const root = pino({ level: 'debug', base: { pid: process.pid }, timestamp: pino.stdTimeFunctions.isoTime }, stream);
  return {
    scoped(scope) {
      const child = root.child({ scope }, { level: pinoLevel(levels[scope] ?? levels.default ?? 'info') });
      return child as unknown as Logger;
    },
    flush: () => root.flush(),
  };
}
