// Log sources at the protocol edge, all turned into Sentry's log container shape ({"items": [...]},
// protocol doc §3.4) before they are queued:
//   - envelope `log` items: already that shape (validated, passed through as sent);
//   - envelope `otel_log` items: one OpenTelemetry JSON log record each;
//   - OTLP/HTTP ExportLogsServiceRequest, JSON or protobuf (decoded with protobufjs code generated from
//     the official OpenTelemetry protos, shipped by @opentelemetry/otlp-transformer);
//   - our minimal JSON for curl: {"logs": [{"level": "error", "body": "...", "attributes": {...}}]}.
import { createRequire } from 'node:module';
import { IngestError } from './errors.ts';

/** At most this many records per request, whatever the source. */
export const MAX_LOG_RECORDS = 5000;

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => !!v && typeof v === 'object' && !Array.isArray(v);

function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new IngestError('invalid_json', `${what}: ${(err as Error).message.slice(0, 200)}`);
  }
}

/** A `log` envelope item: validated; returns the payload as sent and its record count. */
export function logContainer(text: string): { payload: string; count: number } {
  const v = parseJson(text, 'log item');
  if (!isObject(v) || !Array.isArray(v.items)) throw new IngestError('invalid_event', 'a log item must be {"items": [...]}');
  if (v.items.length > MAX_LOG_RECORDS) throw new IngestError('item_too_large', `more than ${MAX_LOG_RECORDS} log records`);
  if (!v.items.every(isObject)) throw new IngestError('invalid_event', 'every log record must be an object');
  return { payload: text, count: v.items.length };
}

// ---------------------------------------------------------------- OpenTelemetry

/** An OTLP AnyValue (JSON camelCase or protobufjs toObject form, or otel_log snake_case) as a plain value. */
function anyValue(v: unknown, depth = 0): unknown {
  if (!isObject(v) || depth > 8) return null;
  const get = (camel: string, snake: string) => (camel in v ? v[camel] : v[snake]);
  const s = get('stringValue', 'string_value');
  if (s !== undefined) return typeof s === 'string' ? s : String(s);
  const b = get('boolValue', 'bool_value');
  if (b !== undefined) return Boolean(b);
  const i = get('intValue', 'int_value');
  if (i !== undefined) return Number(i);
  const d = get('doubleValue', 'double_value');
  if (d !== undefined) return Number(d);
  const arr = get('arrayValue', 'array_value');
  if (isObject(arr) && Array.isArray(arr.values)) return arr.values.slice(0, 100).map((x) => anyValue(x, depth + 1));
  const kv = get('kvlistValue', 'kvlist_value');
  if (isObject(kv) && Array.isArray(kv.values)) return JSON.stringify(keyValues(kv.values, depth + 1));
  const bytes = get('bytesValue', 'bytes_value');
  if (bytes !== undefined) return typeof bytes === 'string' ? bytes : Buffer.isBuffer(bytes) ? bytes.toString('base64') : null;
  return null;
}

function keyValues(list: unknown, depth = 0): Json {
  const out: Json = {};
  if (!Array.isArray(list)) return out;
  for (const kv of list.slice(0, 200)) {
    if (isObject(kv) && typeof kv.key === 'string') out[kv.key] = anyValue(kv.value, depth);
  }
  return out;
}

/** Trace and span ids: hex in OTLP JSON, bytes (Buffer) in protobuf. */
function idHex(v: unknown): string | undefined {
  if (Buffer.isBuffer(v) || v instanceof Uint8Array) return Buffer.from(v).toString('hex') || undefined;
  if (typeof v === 'string' && v) return /^[0-9a-fA-F]+$/.test(v) ? v.toLowerCase() : Buffer.from(v, 'base64').toString('hex');
  return undefined;
}

function nanosToSeconds(v: unknown): number | undefined {
  if (v === undefined || v === null || v === '' || v === '0' || v === 0) return undefined;
  const n = typeof v === 'string' ? Number(v) : typeof v === 'number' ? v : Number(String(v));
  return Number.isFinite(n) && n > 0 ? n / 1e9 : undefined;
}

/** One OTel log record, with the resource's and scope's attributes, as a Sentry log item. */
function otelRecord(r: Json, resource: Json, scopeName: string | null): Json {
  const get = (camel: string, snake: string) => (camel in r ? r[camel] : r[snake]);
  const attrs: Json = { ...resource, ...keyValues(get('attributes', 'attributes')) };
  if (scopeName) attrs['otel.scope.name'] = scopeName;
  const body = anyValue(get('body', 'body'));
  const severityText = get('severityText', 'severity_text');
  const severityNumber = get('severityNumber', 'severity_number');
  return {
    timestamp: nanosToSeconds(get('timeUnixNano', 'time_unix_nano')) ?? nanosToSeconds(get('observedTimeUnixNano', 'observed_time_unix_nano')),
    observed_timestamp: nanosToSeconds(get('observedTimeUnixNano', 'observed_time_unix_nano')),
    trace_id: idHex(get('traceId', 'trace_id')),
    span_id: idHex(get('spanId', 'span_id')),
    level: typeof severityText === 'string' && severityText ? severityText : undefined,
    severity_number: typeof severityNumber === 'number' ? severityNumber : typeof severityNumber === 'string' ? Number(severityNumber) || undefined : undefined,
    body: typeof body === 'string' ? body : body === null ? '' : JSON.stringify(body),
    attributes: attrs,
  };
}

/** An ExportLogsServiceRequest (JSON or decoded protobuf) as Sentry log items. */
export function otlpToItems(req: unknown): Json[] {
  if (!isObject(req)) throw new IngestError('invalid_event', 'an OTLP logs request must be an object');
  const out: Json[] = [];
  const resourceLogs = req.resourceLogs ?? req.resource_logs;
  if (!Array.isArray(resourceLogs)) throw new IngestError('invalid_event', 'resourceLogs is missing');
  for (const rl of resourceLogs) {
    if (!isObject(rl)) continue;
    const resource = isObject(rl.resource) ? keyValues(rl.resource.attributes) : {};
    const scopes = rl.scopeLogs ?? rl.scope_logs ?? rl.instrumentationLibraryLogs;
    if (!Array.isArray(scopes)) continue;
    for (const sl of scopes) {
      if (!isObject(sl)) continue;
      const scope = isObject(sl.scope) ? sl.scope : isObject(sl.instrumentationLibrary) ? sl.instrumentationLibrary : null;
      const records = sl.logRecords ?? sl.log_records;
      if (!Array.isArray(records)) continue;
      for (const r of records) {
        if (!isObject(r)) continue;
        if (out.length >= MAX_LOG_RECORDS) throw new IngestError('item_too_large', `more than ${MAX_LOG_RECORDS} log records`);
        out.push(otelRecord(r, resource, scope && typeof scope.name === 'string' ? scope.name : null));
      }
    }
  }
  return out;
}

/** An `otel_log` envelope item: one OpenTelemetry JSON log record. */
export function otelLogItem(text: string): Json {
  const v = parseJson(text, 'otel_log item');
  if (!isObject(v)) throw new IngestError('invalid_event', 'an otel_log item must be a JSON object');
  return otelRecord(v, isObject(v.resource) ? keyValues(v.resource.attributes) : {}, null);
}

interface ProtoType {
  decode(buf: Uint8Array): unknown;
  toObject(m: unknown, o: Record<string, unknown>): unknown;
  encode(m: unknown): { finish(): Uint8Array };
}
let requestType: ProtoType | null = null;
let responseType: ProtoType | null = null;
function protoTypes(): { request: ProtoType; response: ProtoType } {
  if (!requestType) {
    const root = createRequire(import.meta.url)('@opentelemetry/otlp-transformer/build/src/generated/root.js');
    const ns = root.opentelemetry.proto.collector.logs.v1;
    requestType = ns.ExportLogsServiceRequest as ProtoType;
    responseType = ns.ExportLogsServiceResponse as ProtoType;
  }
  return { request: requestType!, response: responseType! };
}

/** OTLP/HTTP body → Sentry log items. */
export function otlpBodyToItems(body: Buffer, contentType: string): Json[] {
  if (contentType.includes('protobuf')) {
    const { request } = protoTypes();
    let decoded: unknown;
    try {
      decoded = request.toObject(request.decode(body), { longs: String, enums: Number, bytes: Buffer, defaults: false });
    } catch (err) {
      throw new IngestError('invalid_event', `not an OTLP protobuf logs request: ${(err as Error).message.slice(0, 200)}`);
    }
    return otlpToItems(decoded);
  }
  return otlpToItems(parseJson(body.toString('utf8'), 'OTLP JSON'));
}

/** The OTLP success answer in the request's encoding. */
export function otlpResponse(contentType: string): { body: Uint8Array | string; type: string } {
  if (contentType.includes('protobuf')) {
    const { response } = protoTypes();
    return { body: response.encode({}).finish(), type: 'application/x-protobuf' };
  }
  return { body: '{}', type: 'application/json' };
}

/** Our minimal JSON for curl: {"logs": [...]}, {"items": [...]}, an array of records, or one record. */
export function minimalLogsToItems(text: string): Json[] {
  const v = parseJson(text, 'logs');
  const list = Array.isArray(v) ? v : isObject(v) && Array.isArray(v.logs) ? v.logs : isObject(v) && Array.isArray(v.items) ? v.items : isObject(v) ? [v] : null;
  if (!list) throw new IngestError('invalid_event', 'send {"logs": [{"level": "...", "body": "..."}]}');
  if (list.length > MAX_LOG_RECORDS) throw new IngestError('item_too_large', `more than ${MAX_LOG_RECORDS} log records`);
  return list.map((r) => {
    if (!isObject(r)) throw new IngestError('invalid_event', 'every log record must be an object');
    return r.body === undefined && typeof r.message === 'string' ? { ...r, body: r.message } : r;
  });
}
