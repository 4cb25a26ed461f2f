/** Channel message → alert row: text limits, URL resolution, icons, source, system scope. */
import { describe, expect, it } from '@jest/globals';
import { ALERT_LIMITS } from './alert.js';
import { DEFAULT_ICON, SYSTEM_SCOPE_REASON, renderAlert, resolveAlertUrl, truncate } from './render.js';
import { personalMessage, systemMessage } from './testing/messages.js';

describe('renderAlert', () => {
  it('maps a personal message to an alert row', () => {
    const row = renderAlert(
      personalMessage({
        eventId: 'ev-7',
        userId: '42',
        data: { title: 'Scan of Web', description: '3 new findings', url: '/finding/open', icon: 'bug' },
      }),
      {},
    );
    expect(row).toEqual({
      delivery_id: 'defectdojo:ev-7:alert:user-42',
      user_id: '42',
      title: 'Scan of Web',
      description: '3 new findings',
      url: 'https://dojo.example.com/finding/open',
      icon: 'bug',
      source: 'Scan Added',
    });
  });

  it('takes the source of an unknown event from its label: "dummy_foo_event" → "Dummy Foo Event"', () => {
    const row = renderAlert(
      personalMessage({ type: 'dummy_foo_event', eventLabel: 'Dummy Foo Event', data: { title: 'Dummy Foo Event' } }),
      {},
    );
    expect(row).toMatchObject({ source: 'Dummy Foo Event', title: 'Dummy Foo Event', icon: DEFAULT_ICON, url: null });
  });

  it.each<[string, string | undefined, string]>([
    ['event default for scan_added', undefined, 'shield-alt'],
    ['given icon', 'star', 'star'],
    ['blank icon falls back to the event default', '   ', 'shield-alt'],
    ['over-long icon falls back to the event default', 'x'.repeat(ALERT_LIMITS.icon + 1), 'shield-alt'],
  ])('icon: %s', (_label, icon, expected) => {
    const row = renderAlert(personalMessage({ data: icon === undefined ? {} : { icon } }), {});
    expect(row).toMatchObject({ icon: expected });
  });

  it.each<[string, number, number]>([
    ['title', ALERT_LIMITS.title, 251],
    ['description', ALERT_LIMITS.description, 2001],
  ])('cuts an over-long %s to its limit, ending with "…"', (field, limit, length) => {
    const row = renderAlert(personalMessage({ data: { [field]: 'a'.repeat(length) } }), {});
    const value = (row as unknown as Record<string, string>)[field]!;
    expect(Array.from(value)).toHaveLength(limit);
    expect(value).toBe('a'.repeat(limit - 1) + '…');
  });

  it('keeps a title of exactly 250 characters unchanged', () => {
    const title = 't'.repeat(250);
    expect(renderAlert(personalMessage({ data: { title } }), {})).toMatchObject({ title });
  });

  it('cuts the source (event label) to 100 characters', () => {
    const row = renderAlert(personalMessage({ eventLabel: 'L'.repeat(150) }), {});
    expect(row).toMatchObject({ source: 'L'.repeat(99) + '…' });
  });

  it('counts characters, not UTF-16 units, and never splits a surrogate pair', () => {
    const row = renderAlert(personalMessage({ data: { title: '🔥'.repeat(300) } }), {});
    expect(row).toMatchObject({ title: '🔥'.repeat(249) + '…' });
  });

  it('drops a system-scope message with its reason, never silently', () => {
    expect(renderAlert(systemMessage(), {})).toEqual({ kind: 'dropped', reason: SYSTEM_SCOPE_REASON });
  });
});

describe('resolveAlertUrl', () => {
  it.each<[string, string | undefined, string, string | null]>([
    ['no url', undefined, 'https://dojo.example.com', null],
    ['empty url', '  ', 'https://dojo.example.com', null],
    ['absolute https', 'https://other.example.com/x?y=1', 'https://dojo.example.com', 'https://other.example.com/x?y=1'],
    ['relative with slash', '/finding/1', 'https://dojo.example.com', 'https://dojo.example.com/finding/1'],
    ['relative without slash', 'finding/1', 'https://dojo.example.com/', 'https://dojo.example.com/finding/1'],
    ['site under a sub-path keeps it', '/finding/1', 'https://example.com/dojo', 'https://example.com/dojo/finding/1'],
    ['javascript: scheme refused', 'javascript:alert(1)', 'https://dojo.example.com', null],
    ['mailto: scheme refused', 'mailto:a@example.com', 'https://dojo.example.com', null],
    ['relative without a site url', '/finding/1', '', null],
  ])('%s', (_label, url, site, expected) => {
    expect(resolveAlertUrl(url, site)).toBe(expected);
  });
});

describe('truncate', () => {
  it.each<[string, number, string]>([
    ['abc', 3, 'abc'],
    ['abcd', 3, 'ab…'],
    ['', 3, ''],
  ])('truncate(%j, %d) = %j', (text, max, expected) => {
    expect(truncate(text, max)).toBe(expected);
  });
});
