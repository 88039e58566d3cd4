// Compiles resolved issue-search terms (server/search) into a parameterized SQL condition on
// `issues i`. Values only ever travel as parameters; the SQL text is built from fixed fragments.
import type { Assignee, ResolvedTerm } from '../search/spec.ts';
import { escapeLike, wildcardToLike } from '../search/spec.ts';
import { ApiError } from '../errors.ts';

export class Params {
  readonly values: unknown[] = [];
  add(v: unknown): string {
    this.values.push(v);
    return `$${this.values.length}`;
  }
}

const STATUS_VALUES = new Set(['unresolved', 'resolved', 'ignored']);
/** Issue columns a string filter may name, matched as substrings (Sentry's `message:` behaviour). */
const TEXT_COLUMNS: Record<string, string> = { title: 'i.title', culprit: 'i.culprit', message: 'i.message' };
/** `user.*` keys → the field of the stored event's user. */
const USER_FIELDS: Record<string, string> = { 'user.id': 'id', 'user.email': 'email', 'user.username': 'username', 'user.ip': 'ip_address' };
/** Keys that are issue tags (environment:, release: are tags of the issue's events, as in Sentry). */
const TAG_KEYS = new Set(['environment', 'release']);

function not(negated: boolean, cond: string): string {
  return negated ? `NOT (${cond})` : cond;
}

function likeAny(p: Params, column: string, values: string[], wildcard: boolean, substring: boolean): string {
  const patterns = values.map((v) => (wildcard ? wildcardToLike(v) : substring ? `%${escapeLike(v)}%` : escapeLike(v)));
  return `${column} ILIKE ANY(${p.add(patterns)}::text[])`;
}

function tagCondition(p: Params, key: string, values: string[], wildcard: boolean): string {
  const valueCond = wildcard
    ? `t.value LIKE ANY(${p.add(values.map(wildcardToLike))}::text[])`
    : `t.value = ANY(${p.add(values)}::text[])`;
  return `EXISTS (SELECT 1 FROM issue_tags t WHERE t.issue_id = i.id AND t.key = ${p.add(key)} AND ${valueCond})`;
}

function isCondition(p: Params, value: string): string {
  if (STATUS_VALUES.has(value)) return `i.status = ${p.add(value)}`;
  switch (value) {
    case 'regressed':
      return `(i.status = 'unresolved' AND i.substatus = 'regressed')`;
    case 'for_review':
      return `(i.status = 'unresolved' AND (i.substatus IN ('regressed', 'escalating') OR i.first_seen > now() - interval '7 days'))`;
    case 'assigned':
      return ASSIGNED;
    case 'unassigned':
      return UNASSIGNED;
    default:
      throw new ApiError(400, `unsupported is: value "${value}"`);
  }
}

const OPS = new Set(['=', '!=', '>', '>=', '<', '<=']);
function op(o: string): string {
  if (!OPS.has(o)) throw new ApiError(400, `unsupported operator ${o}`);
  return o === '!=' ? '<>' : o;
}

const DATE_COLUMNS: Record<string, string> = { firstSeen: 'i.first_seen', lastSeen: 'i.last_seen' };
const NUMBER_COLUMNS: Record<string, string> = { times_seen: 'i.times_seen' };

const ASSIGNED = '(i.assignee_user_id IS NOT NULL OR i.assignee_team_id IS NOT NULL)';
const UNASSIGNED = '(i.assignee_user_id IS NULL AND i.assignee_team_id IS NULL)';

/** Who is searching: `assigned:me` and `assigned:my_teams` need it. */
export interface FilterContext {
  userId?: number | null;
}

/** `assigned:` values, each a condition that is never NULL (so that `!assigned:x` negates cleanly). */
function assigneeCondition(p: Params, a: Assignee, ctx: FilterContext): string {
  switch (a.type) {
    case 'none':
      return UNASSIGNED;
    case 'me':
      return ctx.userId == null ? 'FALSE' : `(i.assignee_user_id IS NOT NULL AND i.assignee_user_id = ${p.add(ctx.userId)}::int)`;
    case 'my_teams':
      return ctx.userId == null
        ? 'FALSE'
        : `(i.assignee_team_id IS NOT NULL AND i.assignee_team_id IN (SELECT tm.team_id FROM team_members tm JOIN organization_members om ON om.id = tm.member_id WHERE om.user_id = ${p.add(ctx.userId)}::int))`;
    case 'user':
      return `(i.assignee_user_id IS NOT NULL AND i.assignee_user_id IN (SELECT u.id FROM users u WHERE lower(u.email) = lower(${p.add(a.email)})))`;
    case 'team':
      return `(i.assignee_team_id IS NOT NULL AND EXISTS (SELECT 1 FROM teams tt JOIN projects tp ON tp.organization_id = tt.organization_id
        WHERE tt.id = i.assignee_team_id AND tp.id = i.project_id AND tt.slug = ${p.add(a.slug)}))`;
  }
}

/** One SQL condition per term, ANDed. */
export function compileIssueFilter(terms: ResolvedTerm[], p: Params, ctx: FilterContext = {}): string[] {
  const out: string[] = [];
  for (const t of terms) {
    switch (t.kind) {
      case 'enum':
        if (t.key === 'is') out.push(not(t.negated, t.values.map((v) => isCondition(p, v)).join(' OR ')));
        else if (t.key === 'level') out.push(not(t.negated, `i.level = ANY(${p.add(t.values)}::text[])`));
        else throw new ApiError(400, `unsupported key ${t.key}`);
        break;
      case 'string': {
        if (TAG_KEYS.has(t.key)) out.push(not(t.negated, tagCondition(p, t.key, t.values, t.wildcard)));
        else if (TEXT_COLUMNS[t.key]) out.push(not(t.negated, likeAny(p, TEXT_COLUMNS[t.key], t.values, t.wildcard, true)));
        else if (USER_FIELDS[t.key]) {
          const field = p.add(USER_FIELDS[t.key]);
          const cond = t.wildcard
            ? `e.user_info::jsonb->>${field} LIKE ANY(${p.add(t.values.map(wildcardToLike))}::text[])`
            : `e.user_info::jsonb->>${field} = ANY(${p.add(t.values)}::text[])`;
          out.push(not(t.negated, `EXISTS (SELECT 1 FROM events e WHERE e.issue_id = i.id AND ${cond})`));
        } else if (t.key === 'issue') out.push(not(t.negated, shortIdCondition(p, t.values)));
        else throw new ApiError(400, `unsupported key ${t.key}`);
        break;
      }
      case 'tag':
        out.push(not(t.negated, tagCondition(p, t.key, t.values, t.wildcard)));
        break;
      case 'number': {
        const col = NUMBER_COLUMNS[t.key];
        if (!col) throw new ApiError(400, `unsupported key ${t.key}`);
        out.push(`${col} ${op(t.op)} ${p.add(t.value)}`);
        break;
      }
      case 'date': {
        const col = DATE_COLUMNS[t.key];
        if (!col) throw new ApiError(400, `unsupported key ${t.key}`);
        out.push(`${col} ${op(t.op)} ${p.add(t.value.toISOString())}::timestamptz`);
        break;
      }
      case 'date_range': {
        const col = DATE_COLUMNS[t.key];
        if (!col) throw new ApiError(400, `unsupported key ${t.key}`);
        out.push(not(t.negated, `${col} >= ${p.add(t.from.toISOString())}::timestamptz AND ${col} < ${p.add(t.to.toISOString())}::timestamptz`));
        break;
      }
      case 'has':
        if (t.tag || TAG_KEYS.has(t.key)) out.push(not(t.negated, `EXISTS (SELECT 1 FROM issue_tags t WHERE t.issue_id = i.id AND t.key = ${p.add(t.key)})`));
        else if (t.key.startsWith('user')) out.push(not(t.negated, 'i.user_count > 0'));
        else if (TEXT_COLUMNS[t.key]) out.push(not(t.negated, `${TEXT_COLUMNS[t.key]} <> ''`));
        else if (t.key === 'assigned') out.push(t.negated ? UNASSIGNED : ASSIGNED);
        else out.push(t.negated ? 'FALSE' : 'TRUE');
        break;
      case 'assignee':
        out.push(not(t.negated, t.values.map((v) => assigneeCondition(p, v, ctx)).join(' OR ')));
        break;
      case 'text': {
        const pat = p.add(`%${escapeLike(t.value)}%`);
        out.push(not(t.negated, `(i.title ILIKE ${pat} OR i.culprit ILIKE ${pat} OR i.message ILIKE ${pat})`));
        break;
      }
      default:
        throw new ApiError(400, `unsupported search term ${(t as { kind: string }).kind}`);
    }
  }
  return out;
}

const BASE32 = '0123456789ABCDEFGHJKLMNPQRSTUVWXYZ';

/** `issue:MY-SERVICE-1A` → project slug + per-project number. */
function shortIdCondition(p: Params, values: string[]): string {
  const conds: string[] = [];
  for (const v of values) {
    const m = /^(.+)-([0-9A-Za-z]+)$/.exec(v);
    if (!m) continue;
    let n = 0;
    let ok = true;
    for (const ch of m[2].toUpperCase()) {
      const d = BASE32.indexOf(ch);
      if (d < 0) ok = false;
      n = n * 32 + d;
    }
    if (!ok || n > 2_147_483_647) continue;
    conds.push(`(i.short_id = ${p.add(n)} AND EXISTS (SELECT 1 FROM projects sp WHERE sp.id = i.project_id AND upper(sp.slug) = ${p.add(m[1].toUpperCase())}))`);
  }
  return conds.length > 0 ? conds.join(' OR ') : 'FALSE';
}
