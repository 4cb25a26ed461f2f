/**
 * What every channel's render uses so a hostile event cannot turn into a hostile message:
 *
 * - `linkUrl`: the only way a URL from an event (`data.url`, `data.url_api`, scope and finding
 *   URLs) becomes a link. A relative URL is appended to the site URL (DefectDojo's
 *   `get_full_url`); the result is a link only when it parses as an absolute `http:` or `https:`
 *   URL — `javascript:`, `data:`, `file:` and the like never reach an `href`, a button or a
 *   webhook's `url_ui`.
 * - `capText`: cuts a rendered field to a channel's limit, on code points, ending with "…".
 *
 * Pure, no I/O.
 */

const SCHEME = /^[a-z][a-z0-9+.-]*:/i;

/** True when `value` is an absolute http(s) URL. */
export function isLinkUrl(value: string): boolean {
  if (!/^https?:\/\//i.test(value)) return false;
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

/**
 * The link for `url` (absolute, or relative to `siteUrl`), or `''` when there is none or it would
 * not be an http(s) link.
 */
export function linkUrl(url: string | undefined, siteUrl: string): string {
  const value = url?.trim() ?? '';
  if (value === '') return '';
  const resolved = SCHEME.test(value) ? value : `${siteUrl.trim().replace(/\/+$/, '')}/${value.replace(/^\/+/, '')}`;
  return isLinkUrl(resolved) ? resolved : '';
}

const ELLIPSIS = '…';

/** `text` cut to at most `max` characters (code points), ending with "…" when cut. */
export function capText(text: string, max: number): string {
  if (text.length <= max) return text;
  const chars = Array.from(text);
  if (chars.length <= max) return text;
  return chars.slice(0, Math.max(0, max - 1)).join('') + ELLIPSIS;
}
