// Every way an ingest request can fail, as one closed list (style: relay's BadStoreRequest).
// The status codes follow protocol doc §4.2; the body is Sentry's `{"detail": ...}` and the same text
// goes into `X-Sentry-Error`, which browser SDKs can read through CORS.

export const INGEST_FAILURES = {
  empty_body: [400, 'empty request body'],
  invalid_json: [400, 'invalid JSON'],
  invalid_event: [400, 'event payload must be a JSON object'],
  invalid_event_id: [400, 'invalid event id'],
  invalid_envelope: [400, 'invalid envelope'],
  duplicate_event_item: [400, 'envelope contains more than one event item'],
  invalid_compression: [400, 'invalid compression stream'],
  invalid_project_id: [400, 'invalid project id in URL'],
  unsupported_version: [400, 'unsupported sentry_version'],
  missing_auth: [401, 'missing authorization information'],
  invalid_auth: [401, 'invalid authorization header'],
  multiple_auth: [401, 'multiple authorization payloads detected'],
  unknown_key: [403, 'unknown DSN public key'],
  disabled_key: [403, 'DSN key is disabled'],
  wrong_project: [403, 'DSN key does not belong to this project'],
  body_too_large: [413, 'request body exceeds size limit'],
  decoded_too_large: [413, 'decompressed body exceeds size limit'],
  item_too_large: [413, 'event exceeds size limit'],
  overloaded: [503, 'server is overloaded, try again later'],
  unavailable: [503, 'storage temporarily unavailable, try again later'],
} as const satisfies Record<string, readonly [number, string]>;

export type IngestFailure = keyof typeof INGEST_FAILURES;

export class IngestError extends Error {
  readonly status: number;
  constructor(
    readonly reason: IngestFailure,
    detail?: string,
  ) {
    const [status, text] = INGEST_FAILURES[reason];
    super(detail ? `${text}: ${detail}` : text);
    this.status = status;
  }
}
