import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import type { ChannelMessage } from '../channel-message.js';
import { validateEvent } from '../envelope.js';
import { loadTemplates, templateView } from './templates.js';

const root = mkdtempSync(join(tmpdir(), 'herald-templates-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function dir(name: string, files: Record<string, string>): string {
  const path = join(root, name);
  mkdirSync(path, { recursive: true });
  for (const [file, content] of Object.entries(files)) writeFileSync(join(path, file), content);
  return path;
}

function message(type: string, data: Record<string, unknown>, personal = false): ChannelMessage {
  const parsed = validateEvent({ specversion: '1.0', id: 'e1', source: 'defectdojo', type, data }, new Date('2026-01-01T00:00:00Z'));
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
  return {
    delivery_id: `e1:mail:${personal ? 'user-1' : 'system'}`,
    channel: 'mail',
    event: parsed.event,
    destination: personal
      ? { scope: 'personal', user: { id: '1', username: 'alice', email: 'alice@example.com', full_name: 'Alice Doe' } }
      : { scope: 'system' },
    site_url: 'https://dojo.example.com/app',
    event_label: 'Scan Added',
  };
}

describe('loadTemplates', () => {
  const defaults = dir('defaults', {
    'default.text.mustache': 'default: {{title}}',
    'default.html.mustache': '<p>{{title}}</p>{{> _footer.html}}',
    '_footer.html.mustache': '<a href="{{settings_url}}">settings</a>',
    'scan_added.text.mustache': 'scan: {{title}}',
    'README.md': 'not a template',
  });

  it.each([
    ['scan_added', 'text', 'scan: <b>&"x"', 'an event template'],
    ['dummy_foo_event', 'text', 'default: <b>&"x"', 'the default for an unknown type'],
    [
      'scan_added',
      'html',
      '<p>&#60;b&#62;&#38;&#34;x&#34;</p><a href="https:&#47;&#47;x">settings</a>',
      'the default html, escaped, with a partial',
    ],
  ])('renders %s.%s from %s', (type, part, expected) => {
    const set = loadTemplates({ defaultsDir: defaults });
    expect(set.render(type, part, { title: '<b>&"x"', settings_url: 'https://x' })).toBe(expected);
  });

  it('lets the override directory win over the defaults, keeping the other defaults', () => {
    const overrides = dir('overrides', { 'scan_added.text.mustache': 'ours: {{title}}' });
    const set = loadTemplates({ defaultsDir: defaults, overrideDir: overrides });
    expect(set.render('scan_added', 'text', { title: 'T' })).toBe('ours: T');
    expect(set.render('other', 'text', { title: 'T' })).toBe('default: T');
  });

  it('ignores a missing override directory', () => {
    const set = loadTemplates({ defaultsDir: defaults, overrideDir: join(root, 'absent') });
    expect(set.names).toEqual(['_footer.html', 'default.html', 'default.text', 'scan_added.text']);
  });

  it('applies a per-part escaper', () => {
    const set = loadTemplates({ defaultsDir: defaults, escapers: { text: (v) => v.replace(/&/g, '&amp;') } });
    expect(set.render('scan_added', 'text', { title: 'a & b <c>' })).toBe('scan: a &amp; b <c>');
  });

  it('never loads a partial from a path or a non-partial name', () => {
    const d = dir('partials', { 'default.text.mustache': '[{{> ../defaults/scan_added.text}}][{{> scan_added.text}}][{{> /etc/passwd}}]' });
    const set = loadTemplates({ defaultsDir: d });
    expect(set.render('x', 'text', { title: 'T' })).toBe('[][][]');
  });

  it('runs no code: a function-looking value is printed as text', () => {
    const d = dir('code', { 'default.text.mustache': '{{title}}|{{#title}}in{{/title}}' });
    const set = loadTemplates({ defaultsDir: d });
    expect(set.render('x', 'text', { title: '{{process.exit}}' })).toBe('{{process.exit}}|in');
  });

  it('fails with a clear error when neither the event nor the default part exists', () => {
    const set = loadTemplates({ defaultsDir: defaults });
    expect(() => set.render('scan_added', 'subject', {})).toThrow('No template scan_added.subject and no default.subject');
  });

  it('refuses a template that does not parse, naming the file', () => {
    const broken = dir('broken', { 'default.text.mustache': '{{#open}} never closed' });
    expect(() => loadTemplates({ defaultsDir: broken })).toThrow(/default\.text\.mustache does not parse/);
  });

  it('refuses a missing defaults directory', () => {
    expect(() => loadTemplates({ defaultsDir: join(root, 'nope') })).toThrow(/Cannot read the template directory/);
  });
});

describe('templateView', () => {
  it('resolves relative URLs against site_url and completes scopes from their nesting', () => {
    const view = templateView(
      message('scan_added', {
        url: '/test/7',
        url_api: 'https://api.example.com/tests/7',
        test: {
          id: '7',
          name: 'ZAP',
          engagement: { id: '3', name: 'Q1', product: { id: '2', name: 'Web', product_type: { id: '1', name: 'Apps' } } },
        },
        findings: { new: [{ id: '9', title: 'XSS', severity: 'High', url: '/finding/9' }, 'plain'], mitigated: [] },
        actor: { id: '5', username: 'bob' },
      }),
    );
    expect(view.url_ui).toBe('https://dojo.example.com/app/test/7');
    expect(view.url_api).toBe('https://api.example.com/tests/7');
    expect(view.settings_url).toBe('https://dojo.example.com/app/settings');
    expect([view.product_type_name, view.product_name, view.engagement_name, view.test_name]).toEqual(['Apps', 'Web', 'Q1', 'ZAP']);
    expect(view.findings.new).toEqual([
      { id: '9', title: 'XSS', severity: 'High', url: 'https://dojo.example.com/app/finding/9' },
      { id: '', title: 'plain', severity: '', url: '' },
    ]);
    expect(view.findings_count).toEqual({ new: 2, reactivated: 0, mitigated: 0, untouched: 0 });
    expect(view.finding_count).toBe(2);
    expect(view.actor_name).toBe('bob');
    expect(view.title).toBe('Scan Added');
    expect(view.recipient).toBeUndefined();
    expect(view.is_personal).toBe(false);
  });

  it('uses the declared finding_count and the recipient of a personal message', () => {
    const view = templateView(message('user_mentioned', { finding_count: 12, url: 'https://elsewhere.example.org/x' }, true));
    expect(view.finding_count).toBe(12);
    expect(view.url_ui).toBe('https://elsewhere.example.org/x');
    expect(view.recipient_name).toBe('Alice Doe');
    expect(view.is_personal).toBe(true);
  });

  it('gives empty strings, not "undefined", for absent fields', () => {
    const view = templateView(message('dummy_foo_event', {}));
    expect([view.url_ui, view.url_api, view.product_name, view.actor_name, view.recipient_name]).toEqual(['', '', '', '', '']);
    expect(view.title).toBe('Dummy Foo Event');
    expect(view.description).toBe('Event dummy_foo_event has occurred.');
  });
});
