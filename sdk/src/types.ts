// Public types. Field names follow Sentry's event protocol (snake_case on the wire), so what the SDK
// builds is exactly what it sends.

export type Level = 'fatal' | 'error' | 'warning' | 'info' | 'debug';
export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal';
export type Primitive = string | number | boolean | bigint | null | undefined;

export interface User {
  id?: string | number;
  email?: string;
  username?: string;
  ip_address?: string;
  [key: string]: unknown;
}

export interface Breadcrumb {
  type?: string;
  category?: string;
  message?: string;
  level?: Level;
  data?: Record<string, unknown>;
  /** Seconds since the epoch; set when the breadcrumb is added if missing. */
  timestamp?: number;
}

export interface StackFrame {
  filename?: string;
  abs_path?: string;
  function?: string;
  module?: string;
  lineno?: number;
  colno?: number;
  in_app?: boolean;
  pre_context?: string[];
  context_line?: string;
  post_context?: string[];
}

export interface Mechanism {
  type: string;
  handled?: boolean;
  synthetic?: boolean;
  source?: string;
  exception_id?: number;
  parent_id?: number;
  data?: Record<string, unknown>;
}

export interface Exception {
  type?: string;
  value?: string;
  module?: string;
  mechanism?: Mechanism;
  stacktrace?: { frames: StackFrame[] };
}

export interface SdkEvent {
  event_id: string;
  timestamp: number;
  platform: string;
  level?: Level;
  logger?: string;
  message?: string;
  logentry?: { message: string; params: unknown[] };
  exception?: { values: Exception[] };
  release?: string;
  environment?: string;
  server_name?: string;
  fingerprint?: string[];
  tags?: Record<string, string>;
  extra?: Record<string, unknown>;
  user?: User;
  contexts?: Record<string, Record<string, unknown>>;
  breadcrumbs?: Breadcrumb[];
  request?: { url?: string; headers?: Record<string, string> };
  sdk?: { name: string; version: string; packages?: { name: string; version: string }[] };
  [key: string]: unknown;
}

/** What `captureException` and `captureMessage` accept besides the error or message. */
export interface CaptureHint {
  /** Replaces the server's grouping; may contain `{{ default }}` to refine it instead. */
  fingerprint?: string[];
  level?: Level;
  tags?: Record<string, Primitive>;
  extra?: Record<string, unknown>;
}

/** Passed to `beforeSend` along with the event. */
export interface EventHint {
  originalException?: unknown;
  /** The scope's and the capture call's hint, as given. */
  captureHint?: CaptureHint;
}

export interface Options {
  /** Where to send: `https://<public key>@<host>[/<path>]/<project id>`. Without one, the SDK stays off. */
  dsn?: string;
  release?: string;
  /** Default `production`. */
  environment?: string;
  /** Node: defaults to the host name. */
  serverName?: string;
  /** Share of error and message events to send, 0..1 (default 1). Logs are not sampled. */
  sampleRate?: number;
  /** Last look at an event: return it (possibly changed), or null to drop it. May be async. */
  beforeSend?: (event: SdkEvent, hint: EventHint) => SdkEvent | null | Promise<SdkEvent | null>;
  /** Breadcrumbs kept per scope (default 100). */
  maxBreadcrumbs?: number;
  /** Envelopes waiting or in flight at most (default 64); more are dropped and counted. */
  maxQueue?: number;
  /** Log what the SDK does and drops to the console (default false). */
  debug?: boolean;
  /** `false` turns the SDK into a no-op (default true). */
  enabled?: boolean;
  /** Send `logger.*` records (default true). */
  enableLogs?: boolean;
  /** Time-based flush of buffered logs, in ms (default 5000). A full batch of 100 goes at once. */
  logFlushInterval?: number;
  /** Per-request timeout in ms (default 10000 on Node, 30000 in browsers). */
  sendTimeout?: number;
  /** Unhandled errors, breadcrumbs and context of the platform (default true). */
  defaultIntegrations?: boolean;
  /** Replaces the network call (tests, custom proxies). The send policy still applies. */
  transport?: MakeRequest;
}

export interface TransportResponse {
  status: number;
  /** `X-Sentry-Rate-Limits` header, if any. */
  rateLimits?: string | null;
  /** `Retry-After` header, if any. */
  retryAfter?: string | null;
}

export interface TransportRequest {
  url: string;
  /** The serialized envelope. */
  body: string;
  /** Browsers: send with `keepalive` so the request outlives the page. */
  keepalive: boolean;
  /** Milliseconds before the request is given up. */
  timeout: number;
}

/** The only platform-specific part of sending: one HTTP request. May reject; never needs to retry. */
export type MakeRequest = (request: TransportRequest) => Promise<TransportResponse>;

/** A string carrying its template and values, made by `logger.fmt` (Sentry's `parameterize`). */
export interface ParameterizedString extends String {
  __sentry_template_string__: string;
  __sentry_template_values__: unknown[];
}

export type LogAttributes = Record<string, unknown>;

export interface LogRecord {
  timestamp: number;
  level: LogLevel;
  body: string;
  trace_id: string;
  severity_number: number;
  attributes: Record<string, { value: unknown; type: string; unit?: string }>;
}

export interface Logger {
  trace(message: string | ParameterizedString, attributes?: LogAttributes): void;
  debug(message: string | ParameterizedString, attributes?: LogAttributes): void;
  info(message: string | ParameterizedString, attributes?: LogAttributes): void;
  warn(message: string | ParameterizedString, attributes?: LogAttributes): void;
  error(message: string | ParameterizedString, attributes?: LogAttributes): void;
  fatal(message: string | ParameterizedString, attributes?: LogAttributes): void;
  /** Tagged template: ``logger.info(logger.fmt`User ${id} logged in`)`` groups logs by template. */
  fmt(strings: TemplateStringsArray, ...values: unknown[]): ParameterizedString;
}

/** Why something was not sent (client report reasons, protocol §3.5). */
export type DropReason = 'ratelimit_backoff' | 'network_error' | 'queue_overflow' | 'before_send' | 'sample_rate' | 'send_error' | 'internal_sdk_error';
