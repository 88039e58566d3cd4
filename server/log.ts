// Server log lines (JSON, one per line, on stderr) with a level threshold from the config.
type Level = 'debug' | 'info' | 'warn' | 'error' | 'silent';
const ORDER: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

export interface Logger {
  debug(msg: string, extra?: unknown): void;
  info(msg: string, extra?: unknown): void;
  warn(msg: string, extra?: unknown): void;
  error(msg: string, extra?: unknown): void;
}

export function createLogger(level: Level): Logger {
  const threshold = ORDER[level];
  const emit = (lvl: Exclude<Level, 'silent'>, msg: string, extra?: unknown) => {
    if (ORDER[lvl] < threshold) return;
    const line: Record<string, unknown> = { time: new Date().toISOString(), level: lvl, msg };
    if (extra instanceof Error) line.err = { message: extra.message, stack: extra.stack, code: (extra as { code?: string }).code };
    else if (extra !== undefined) line.extra = extra;
    process.stderr.write(`${JSON.stringify(line)}\n`);
  };
  return {
    debug: (m, e) => emit('debug', m, e),
    info: (m, e) => emit('info', m, e),
    warn: (m, e) => emit('warn', m, e),
    error: (m, e) => emit('error', m, e),
  };
}

export const silentLogger: Logger = createLogger('silent');
