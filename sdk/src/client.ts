// The client turns captures into envelopes: it fills in the event (scope, hint, platform data),
// samples, runs `beforeSend`, buffers logs, counts what it drops, and hands everything to the one
// transport. Every public method returns at once and never throws into the host.

import type { Dsn } from './dsn.js';
import { envelopeUrl } from './dsn.js';
import type { Envelope } from './envelope.js';
import { exceptionsFromThrown, type FrameMapper } from './exception.js';
import { isParameterized, MAX_LOGS_PER_ENVELOPE, SEVERITY, typedAttribute, type TypedAttribute } from './logs.js';
import type { Scope } from './scope.js';
import { createTransport, type Transport } from './transport.js';
import type { CaptureHint, DropReason, Level, LogAttributes, LogLevel, LogRecord, MakeRequest, Mechanism, Options, ParameterizedString, SdkEvent, StackFrame } from './types.js';
import { normalize, nowSeconds, originalConsole, SDK_VERSION, uuid } from './util.js';

/** What a platform entry (node/, browser/) supplies. */
export interface Platform {
  /** `event.platform`: `node` or `javascript`. */
  name: string;
  /** `sdk.name`, e.g. `faultline.javascript.node`. */
  sdkName: string;
  makeRequest: MakeRequest;
  keepalive?: boolean;
  sendTimeout: number;
  mapFrame: FrameMapper;
  serverName?: string;
  /** Adds what the platform knows (contexts, request, source lines) before `beforeSend`. */
  process?(event: SdkEvent): void | Promise<void>;
  /** Removes the platform's handlers (on `close`). */
  teardown?(): void;
}

export class Client {
  readonly traceId = uuid();
  readonly transport: Transport;
  enabled = true;
  private readonly pending = new Set<Promise<void>>();
  private outcomes: Record<string, number> = {};
  private reportTimer: ReturnType<typeof setTimeout> | undefined;
  private logs: LogRecord[] = [];
  private logTimer: ReturnType<typeof setTimeout> | undefined;
  private lastLogMs = 0;
  private logSeq = 0;
  private readonly captured = new WeakSet<object>();

  constructor(
    readonly options: Options,
    readonly dsn: Dsn,
    readonly platform: Platform,
  ) {
    this.transport = createTransport({
      url: envelopeUrl(dsn, `${platform.sdkName}/${SDK_VERSION}`),
      makeRequest: options.transport ?? platform.makeRequest,
      maxQueue: options.maxQueue ?? 64,
      timeout: options.sendTimeout ?? platform.sendTimeout,
      keepalive: platform.keepalive,
      recordDrop: (reason, category, n) => this.recordDrop(reason, category, n),
      log: (m) => this.log(m),
    });
  }

  log(message: string): void {
    if (this.options.debug) originalConsole.warn?.(`[faultline] ${message}`);
  }

  recordDrop(reason: DropReason, category: string, quantity = 1): void {
    const key = `${reason}:${category}`;
    this.outcomes[key] = (this.outcomes[key] ?? 0) + quantity;
    if (!this.reportTimer) {
      this.reportTimer = setTimeout(() => this.sendClientReport(), 60_000);
      (this.reportTimer as { unref?: () => void }).unref?.();
    }
  }

  /** Sends the counted drops as a `client_report` item, if there are any. */
  sendClientReport(): void {
    clearTimeout(this.reportTimer);
    this.reportTimer = undefined;
    const keys = Object.keys(this.outcomes);
    if (!keys.length) return;
    const discarded_events = keys.map((k) => {
      const [reason, category] = k.split(':');
      return { reason, category, quantity: this.outcomes[k] };
    });
    this.outcomes = {};
    this.transport.send([{}, [[{ type: 'client_report' }, { timestamp: nowSeconds(), discarded_events }]]]);
  }

  /** Makes later captures of this error (e.g. by a global handler) a no-op. */
  markCaptured(error: object): void {
    this.captured.add(error);
  }

  captureException(thrown: unknown, scope: Scope, hint?: CaptureHint, mechanism: Mechanism = { type: 'generic', handled: true }, synthetic?: StackFrame[], level?: Level): string {
    try {
      if (thrown !== null && typeof thrown === 'object') {
        // An error already reported (caught, captured, rethrown, then seen by a global handler) is sent once.
        if (this.captured.has(thrown)) return '';
        this.captured.add(thrown);
      }
      const { values, extra } = exceptionsFromThrown(thrown, mechanism, synthetic, this.platform.mapFrame);
      return this.captureEvent({ exception: { values }, extra, level }, scope, hint, thrown, 'error');
    } catch {
      this.recordDrop('internal_sdk_error', 'error');
      return '';
    }
  }

  captureMessage(message: string | ParameterizedString, scope: Scope, level?: Level, hint?: CaptureHint, synthetic?: StackFrame[]): string {
    try {
      const text = String(message);
      const event: Partial<SdkEvent> = { level };
      if (synthetic?.length) event.exception = { values: [{ value: text, stacktrace: { frames: synthetic.map(this.platform.mapFrame) }, mechanism: { type: 'generic', handled: true, synthetic: true } }] };
      if (isParameterized(message)) event.logentry = { message: message.__sentry_template_string__, params: normalize(message.__sentry_template_values__) as unknown[] };
      else event.message = text;
      return this.captureEvent(event, scope, hint, message, 'info');
    } catch {
      this.recordDrop('internal_sdk_error', 'error');
      return '';
    }
  }

  /**
   * Fills in, samples and queues an event; `beforeSend` and the platform's processing run async.
   * Level: the hint's, else the one passed explicitly (`partial.level`), else the scope's, else `defaultLevel`.
   */
  captureEvent(partial: Partial<SdkEvent>, scope: Scope, hint?: CaptureHint, original?: unknown, defaultLevel: Level = 'error'): string {
    if (!this.enabled) return '';
    const o = this.options;
    const event = partial as SdkEvent;
    const explicitLevel = event.level;
    event.event_id = uuid();
    const rate = o.sampleRate ?? 1;
    if (rate < 1 && !(Math.random() < rate)) {
      this.recordDrop('sample_rate', 'error');
      return event.event_id;
    }
    if (this.pending.size >= (o.maxQueue ?? 64)) {
      this.recordDrop('queue_overflow', 'error');
      return event.event_id;
    }
    event.timestamp = nowSeconds();
    event.platform = this.platform.name;
    event.environment = o.environment ?? 'production';
    if (o.release) event.release = o.release;
    const serverName = o.serverName ?? this.platform.serverName;
    if (serverName) event.server_name = serverName;
    event.sdk = { name: this.platform.sdkName, version: SDK_VERSION, packages: [{ name: 'npm:@faultline/sdk', version: SDK_VERSION }] };
    scope.applyTo(event);
    event.level = hint?.level ?? explicitLevel ?? scope.level ?? defaultLevel;
    if (hint) {
      if (hint.fingerprint) event.fingerprint = hint.fingerprint.map(String);
      if (hint.tags) for (const k in hint.tags) if (hint.tags[k] != null) (event.tags ??= {})[k] = String(hint.tags[k]);
      if (hint.extra) event.extra = { ...event.extra, ...(normalize(hint.extra) as Record<string, unknown>) };
    }
    event.contexts = { ...event.contexts, trace: { trace_id: this.traceId, span_id: uuid().slice(16) } };
    const job = this.finish(event, hint, original).finally(() => this.pending.delete(job));
    this.pending.add(job);
    return event.event_id;
  }

  private async finish(event: SdkEvent, hint: CaptureHint | undefined, original: unknown): Promise<void> {
    try {
      await this.platform.process?.(event);
    } catch {
      // the event goes out without what failed
    }
    let final: SdkEvent | null = event;
    if (this.options.beforeSend) {
      try {
        final = await this.options.beforeSend(event, { originalException: original, captureHint: hint });
      } catch (err) {
        this.log(`beforeSend threw, event dropped: ${String(err)}`);
        final = null;
      }
      if (!final) return this.recordDrop('before_send', 'error');
    }
    const o = this.options;
    this.transport.send([
      { event_id: final.event_id, sent_at: new Date().toISOString(), sdk: { name: this.platform.sdkName, version: SDK_VERSION }, trace: { environment: o.environment ?? 'production', release: o.release, public_key: this.dsn.publicKey, trace_id: this.traceId } },
      [[{ type: 'event' }, final]],
    ]);
  }

  captureLog(level: LogLevel, message: string | ParameterizedString, attributes: LogAttributes | undefined, scope: Scope): void {
    try {
      if (!this.enabled || this.options.enableLogs === false) return;
      const o = this.options;
      const attrs: Record<string, TypedAttribute> = {};
      const set = (k: string, v: unknown) => {
        if (v !== undefined && v !== null && v !== '') attrs[k] = typedAttribute(v);
      };
      if (attributes) for (const k in attributes) set(k, attributes[k]);
      const user = scope.user;
      if (user) {
        if (!attrs['user.id']) set('user.id', user.id);
        if (!attrs['user.email']) set('user.email', user.email);
        if (!attrs['user.name']) set('user.name', user.username);
      }
      set('sentry.release', o.release);
      set('sentry.environment', o.environment ?? 'production');
      set('sentry.sdk.name', this.platform.sdkName);
      set('sentry.sdk.version', SDK_VERSION);
      if (isParameterized(message)) {
        const values = message.__sentry_template_values__;
        if (values.length) set('sentry.message.template', message.__sentry_template_string__);
        values.forEach((v, i) => (attrs[`sentry.message.parameter.${i}`] = typedAttribute(v)));
      }
      set('server.address', o.serverName ?? this.platform.serverName);
      const timestamp = nowSeconds();
      const ms = Math.floor(timestamp * 1000);
      if (ms !== this.lastLogMs) this.logSeq = 0;
      this.lastLogMs = ms;
      attrs['sentry.timestamp.sequence'] = { value: this.logSeq++, type: 'integer' };
      this.logs.push({ timestamp, level, body: String(message), trace_id: this.traceId, severity_number: SEVERITY[level], attributes: attrs });
      if (this.logs.length >= MAX_LOGS_PER_ENVELOPE) this.flushLogs();
      else if (!this.logTimer) {
        this.logTimer = setTimeout(() => this.flushLogs(), o.logFlushInterval ?? 5000);
        (this.logTimer as { unref?: () => void }).unref?.();
      }
    } catch {
      this.recordDrop('internal_sdk_error', 'log_item');
    }
  }

  /** Sends buffered logs now, in envelopes of at most 100. */
  flushLogs(): void {
    clearTimeout(this.logTimer);
    this.logTimer = undefined;
    while (this.logs.length) {
      const items = this.logs.splice(0, MAX_LOGS_PER_ENVELOPE);
      const envelope: Envelope = [
        { sdk: { name: this.platform.sdkName, version: SDK_VERSION } },
        [[{ type: 'log', item_count: items.length, content_type: 'application/vnd.sentry.items.log+json' }, { version: 2, items }]],
      ];
      this.transport.send(envelope);
    }
  }

  /** Sends what is buffered and waits until everything is out, or `timeout` ms (0: no limit). */
  async flush(timeout = 0): Promise<boolean> {
    try {
      const deadline = timeout > 0 ? Date.now() + timeout : Infinity;
      this.flushLogs();
      if (this.pending.size) {
        let timer: ReturnType<typeof setTimeout> | undefined;
        const all = Promise.all(this.pending);
        const done = await (deadline === Infinity ? all.then(() => true) : Promise.race([all.then(() => true), new Promise<boolean>((r) => (timer = setTimeout(() => r(false), timeout)))]));
        clearTimeout(timer);
        if (!done) return false;
      }
      this.sendClientReport();
      const left = deadline === Infinity ? 0 : Math.max(1, deadline - Date.now());
      return await this.transport.flush(left);
    } catch {
      return false;
    }
  }

  async close(timeout = 0): Promise<boolean> {
    const ok = await this.flush(timeout);
    this.enabled = false;
    try {
      this.platform.teardown?.();
    } catch {
      // nothing to undo then
    }
    return ok;
  }
}
