/**
 * Per-event message templates for channel plugins (SPEC §5: "per-event templates,
 * operator-overridable files; logic-less templates, no code execution").
 *
 * A template set is a directory of Mustache files named `<event>.<part>.mustache`
 * (`scan_added.subject.mustache`, `default.text.mustache`). Files whose name starts with `_`
 * (`_footer.html.mustache`) are partials, usable as `{{> _footer.html}}`. Rendering
 * `(eventType, part)` uses `<eventType>.<part>`, else `default.<part>`; a file in the operator's
 * override directory wins over the plugin's default of the same name.
 *
 * Invariants: only files of the two given directories are ever read, once, at load; partials
 * resolve to loaded templates only (never to a path); views are plain data, so no template can run
 * code. Values are HTML-escaped in parts named `html` and inserted verbatim in every other part
 * unless the loader is given an escaper for that part (Slack's mrkdwn needs its own).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Mustache from 'mustache';
import type { ChannelMessage } from '../channel-message.js';
import { HeraldError } from '../errors.js';
import { linkUrl } from './render-safety.js';

/** Escapes one interpolated value for the target format. */
export type TemplateEscaper = (value: string) => string;

export interface LoadTemplatesOptions {
  /** The plugin's shipped templates (a path or a `file:` URL). Must contain `default.<part>` for every part rendered. */
  readonly defaultsDir: string | URL;
  /** Operator overrides (SPEC §5); files here replace defaults of the same name. Missing directory = no overrides. */
  readonly overrideDir?: string | URL;
  /** Escapers per part name. @default `{ html: escapeHtml }`; parts without one are not escaped. */
  readonly escapers?: Readonly<Record<string, TemplateEscaper>>;
}

export interface TemplateSet {
  /** Renders `<eventType>.<part>`, falling back to `default.<part>`; throws `HeraldError('invalid_configuration')` when neither exists. */
  render(eventType: string, part: string, view: object): string;
  /** Whether `<eventType>.<part>` (not the default) exists. */
  has(eventType: string, part: string): boolean;
  /** Loaded template names (`scan_added.html`, …), sorted; for diagnostics. */
  readonly names: readonly string[];
}

const FILE_PATTERN = /^(_?[a-z0-9_]+)\.([a-z0-9_-]+)\.mustache$/;

/** The HTML escaping of Mustache: `& < > " ' / \` =`. */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"'`=/]/g, (c) => `&#${c.charCodeAt(0)};`);
}

const verbatim: TemplateEscaper = (value) => value;

function toPath(dir: string | URL): string {
  return dir instanceof URL ? fileURLToPath(dir) : dir;
}

function readDir(dir: string, required: boolean): Map<string, string> {
  const out = new Map<string, string>();
  let entries: string[];
  try {
    if (!statSync(dir).isDirectory()) throw new Error('not a directory');
    entries = readdirSync(dir);
  } catch (error) {
    if (!required && (error as NodeJS.ErrnoException).code === 'ENOENT') return out;
    throw new HeraldError('invalid_configuration', `Cannot read the template directory ${dir}: ${(error as Error).message}`);
  }
  for (const file of entries.sort()) {
    const match = FILE_PATTERN.exec(file);
    if (!match) continue;
    const name = `${match[1]}.${match[2]}`;
    const source = readFileSync(join(dir, file), 'utf8');
    try {
      Mustache.parse(source);
    } catch (error) {
      throw new HeraldError('invalid_configuration', `Template ${join(dir, file)} does not parse: ${(error as Error).message}`);
    }
    out.set(name, source);
  }
  return out;
}

/** Loads a template set; every file is read and parsed now, so a broken override fails at start. */
export function loadTemplates(options: LoadTemplatesOptions): TemplateSet {
  const templates = readDir(toPath(options.defaultsDir), true);
  if (options.overrideDir !== undefined) {
    for (const [name, source] of readDir(toPath(options.overrideDir), false)) templates.set(name, source);
  }
  const escapers: Readonly<Record<string, TemplateEscaper>> = { html: escapeHtml, ...options.escapers };
  const writer = new Mustache.Writer();
  const partials = (name: string): string | undefined => (name.startsWith('_') ? templates.get(name) : undefined);

  return {
    names: [...templates.keys()].sort(),
    has: (eventType, part) => templates.has(`${eventType}.${part}`),
    render(eventType, part, view) {
      const source = templates.get(`${eventType}.${part}`) ?? templates.get(`default.${part}`);
      if (source === undefined) {
        throw new HeraldError(
          'invalid_configuration',
          `No template ${eventType}.${part} and no default.${part}: add default.${part}.mustache`,
        );
      }
      const escape = escapers[part] ?? verbatim;
      return writer.render(source, view, partials, { escape: (value: unknown) => escape(String(value)) });
    },
  };
}

/** A finding in a `findings.*` list, normalised for templates. */
export interface TemplateFinding {
  readonly id: string;
  readonly title: string;
  readonly severity: string;
  /** Absolute; `''` when the publisher gave none. */
  readonly url: string;
}

export interface TemplateScope {
  readonly id: string;
  readonly name: string;
  /** Further fields of the scope object (dates, severity, …), unchanged. */
  readonly [field: string]: unknown;
}

/** The data every template sees; built by `templateView` from a channel message. */
export interface TemplateView {
  readonly event_type: string;
  readonly event_label: string;
  readonly event_id: string;
  readonly time: string;
  readonly title: string;
  readonly description: string;
  /** Absolute URL of the object in the UI (`data.url` resolved against `site_url`); `''` when none. */
  readonly url_ui: string;
  readonly url_api: string;
  readonly icon: string;
  readonly site_url: string;
  /** Where a user changes their notification settings (the unsubscribe-style footer link). */
  readonly settings_url: string;
  /** One-click unsubscribe link for this event type and channel (`unsubscribe_url` of the message); `''` when none. */
  readonly unsubscribe_url: string;
  readonly product_type: TemplateScope | undefined;
  readonly product: TemplateScope | undefined;
  readonly engagement: TemplateScope | undefined;
  readonly test: TemplateScope | undefined;
  readonly finding: TemplateScope | undefined;
  readonly product_type_name: string;
  readonly product_name: string;
  readonly engagement_name: string;
  readonly test_name: string;
  readonly finding_name: string;
  /** `data.finding_count`, or the sum of the findings lists when absent. */
  readonly finding_count: number;
  readonly findings: {
    readonly new: readonly TemplateFinding[];
    readonly reactivated: readonly TemplateFinding[];
    readonly mitigated: readonly TemplateFinding[];
    readonly untouched: readonly TemplateFinding[];
  };
  readonly findings_count: { readonly new: number; readonly reactivated: number; readonly mitigated: number; readonly untouched: number };
  readonly actor: { readonly id: string; readonly username: string } | undefined;
  readonly actor_name: string;
  readonly recipient: { readonly username: string; readonly email: string; readonly full_name: string } | undefined;
  /** The user's full name, else username; `''` for system-scope messages. */
  readonly recipient_name: string;
  readonly is_personal: boolean;
  /** The event's `data`, unchanged (event-specific fields: `note`, `sla_age`, `risk_acceptance`, …). */
  readonly data: Readonly<Record<string, unknown>>;
  /** Whether the message is a digest (SPEC §3.6); plugins render it with their `digest.<part>` templates. */
  readonly is_digest: boolean;
  /** A digest's items, oldest first; `undefined` on an ordinary message. */
  readonly digest: TemplateDigest | undefined;
}

/** A digest as templates see it. */
export interface TemplateDigest {
  /** `hourly` or `daily at HH:MM`. */
  readonly schedule: string;
  readonly count: number;
  readonly window_start: string;
  readonly window_end: string;
  readonly items: ReadonlyArray<{
    readonly event_type: string;
    readonly event_label: string;
    readonly event_id: string;
    readonly time: string;
    readonly title: string;
    readonly description: string;
    /** Absolute; `''` when none. */
    readonly url_ui: string;
  }>;
}

/**
 * DefectDojo's `get_full_url`: a relative URL is appended to the site URL (keeping its path); an
 * absolute one is kept; `''` unless the result is an http(s) link (`linkUrl`).
 */
function absolute(url: string | undefined, base: string): string {
  return linkUrl(url, base);
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : typeof value === 'number' ? String(value) : '';
}

function findingList(value: unknown, siteUrl: string): TemplateFinding[] {
  if (!Array.isArray(value)) return [];
  return value.map((item: unknown): TemplateFinding => {
    if (typeof item === 'object' && item !== null) {
      const record = item as Record<string, unknown>;
      return {
        id: text(record['id']),
        title: text(record['title']) || text(record['name']),
        severity: text(record['severity']),
        url: absolute(text(record['url']) || undefined, siteUrl),
      };
    }
    return { id: '', title: text(item), severity: '', url: '' };
  });
}

function digestView(digest: NonNullable<ChannelMessage['digest']>, siteUrl: string): TemplateDigest {
  return {
    schedule: digest.schedule,
    count: digest.items.length,
    window_start: digest.window_start,
    window_end: digest.window_end,
    items: digest.items.map((item) => ({
      event_type: item.event.type,
      event_label: item.event_label,
      event_id: item.event.id,
      time: item.event.time ?? '',
      title: item.event.data.title ?? '',
      description: item.event.data.description ?? '',
      url_ui: absolute(item.event.data.url, siteUrl),
    })),
  };
}

function scopeOf(value: unknown): TemplateScope | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  return value as TemplateScope;
}

/**
 * The view of a channel message: scopes completed from their nesting (a test's engagement and
 * product are found when only `data.test` is given), URLs made absolute, findings lists normalised.
 */
export function templateView(message: ChannelMessage): TemplateView {
  const { event, site_url: siteUrl } = message;
  const data = event.data;
  const finding = scopeOf(data.finding);
  const test = scopeOf(data.test) ?? scopeOf(finding?.['test']);
  const engagement = scopeOf(data.engagement) ?? scopeOf(test?.['engagement']);
  const product = scopeOf(data.product) ?? scopeOf(engagement?.['product']);
  const productType = scopeOf(data.product_type) ?? scopeOf(product?.['product_type']);
  const rawFindings = (typeof data['findings'] === 'object' && data['findings'] !== null ? data['findings'] : {}) as Record<
    string,
    unknown
  >;
  const findings = {
    new: findingList(rawFindings['new'], siteUrl),
    reactivated: findingList(rawFindings['reactivated'], siteUrl),
    mitigated: findingList(rawFindings['mitigated'], siteUrl),
    untouched: findingList(rawFindings['untouched'], siteUrl),
  };
  const findingsCount = {
    new: findings.new.length,
    reactivated: findings.reactivated.length,
    mitigated: findings.mitigated.length,
    untouched: findings.untouched.length,
  };
  const declaredCount = data['finding_count'];
  const user = message.destination.scope === 'personal' ? message.destination.user : undefined;
  return {
    event_type: event.type,
    event_label: message.event_label,
    event_id: event.id,
    time: event.time,
    title: data.title,
    description: data.description,
    url_ui: absolute(data.url, siteUrl),
    url_api: absolute(data.url_api, siteUrl),
    icon: data.icon ?? '',
    site_url: siteUrl,
    settings_url: absolute('settings', siteUrl),
    unsubscribe_url: message.unsubscribe_url === undefined ? '' : absolute(message.unsubscribe_url, siteUrl),
    product_type: productType,
    product,
    engagement,
    test,
    finding,
    product_type_name: productType?.name ?? '',
    product_name: product?.name ?? '',
    engagement_name: engagement?.name ?? '',
    test_name: test?.name ?? '',
    finding_name: finding?.name ?? '',
    finding_count:
      typeof declaredCount === 'number'
        ? declaredCount
        : findingsCount.new + findingsCount.reactivated + findingsCount.mitigated + findingsCount.untouched,
    findings,
    findings_count: findingsCount,
    actor: data.actor ? { id: data.actor.id, username: data.actor.username } : undefined,
    actor_name: data.actor?.username ?? '',
    recipient: user ? { username: user.username, email: user.email, full_name: user.full_name } : undefined,
    recipient_name: user ? user.full_name || user.username : '',
    is_personal: user !== undefined,
    data,
    is_digest: message.digest !== undefined,
    digest: message.digest === undefined ? undefined : digestView(message.digest, siteUrl),
  };
}
