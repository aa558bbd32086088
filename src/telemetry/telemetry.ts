import type { TelemetryEventName } from './events';

export type Dimensions = Readonly<Record<string, string | number | boolean | undefined>>;

/** Where custom events go: Application Insights in Azure, the log locally. */
export interface Telemetry {
  event(name: TelemetryEventName, dimensions: Dimensions): void;
  flush(): Promise<void>;
}

/** Structured log output, one JSON object per line. Fields are identifiers, never secrets. */
export interface Logger {
  info(message: string, fields?: Dimensions): void;
  warn(message: string, fields?: Dimensions): void;
  error(message: string, fields?: Dimensions): void;
}

export type LogLevel = 'info' | 'warn' | 'error';
export type LogSink = (level: LogLevel, message: string, fields: Dimensions) => void;

export function createLogger(sink: LogSink): Logger {
  return {
    info: (message, fields = {}) => sink('info', message, fields),
    warn: (message, fields = {}) => sink('warn', message, fields),
    error: (message, fields = {}) => sink('error', message, fields),
  };
}

/** Telemetry that writes events to the log, for the local host and tests. */
export function logTelemetry(logger: Logger): Telemetry {
  return {
    event: (name, dimensions) => logger.info(`telemetry ${name}`, dimensions),
    flush: () => Promise.resolve(),
  };
}
