/**
 * Log search: the same language as issues (parse.ts/spec.ts) with the keys of log records. Free text
 * matches the body; any other key is an attribute (`http.status_code:500`, `tags[user.id]:42`).
 */
import { parseSearch } from './parse.ts';
import { resolveSearch, type ResolvedTerm, type SearchSpec } from './spec.ts';

export const LOG_LEVEL_VALUES = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'] as const;

export const LOG_SEARCH_SPEC: SearchSpec = {
  unknownKeys: 'tag',
  freeText: true,
  keys: {
    level: { type: 'enum', values: LOG_LEVEL_VALUES, valueAliases: { warning: 'warn', critical: 'fatal' } },
    trace: { type: 'string', aliases: ['trace_id', 'traceId'], allowWildcard: false },
    span: { type: 'string', aliases: ['span_id'], allowWildcard: false },
    pattern: { type: 'number', integer: true, aliases: ['pattern_id', 'patternId'] },
    release: { type: 'string' },
    environment: { type: 'string' },
    service: { type: 'string' },
    message: { type: 'string', aliases: ['body'] },
    severity: { type: 'number', integer: true, aliases: ['severity_number'] },
  },
};

/** Parse and validate a log search. @throws SearchSyntaxError */
export function parseLogSearch(input: string, now: Date = new Date()): ResolvedTerm[] {
  return resolveSearch(parseSearch(input), LOG_SEARCH_SPEC, now);
}
