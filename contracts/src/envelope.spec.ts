import { describe, expect, it } from '@jest/globals';
import { MAX_EVENT_ID_LENGTH, parseEvent } from './envelope.js';
import { MAX_JSON_DEPTH } from './validation.js';

const now = new Date('2026-11-23T10:00:00.000Z');
const valid = { specversion: '1.0', id: 'e-1', source: 'defectdojo', type: 'scan_added', data: { product: { id: '7', name: 'Web' } } };
const raw = (value: unknown): string => JSON.stringify(value);

describe('parseEvent', () => {
  it('accepts a valid event and applies defaults for time, title and description', () => {
    const result = parseEvent(raw(valid), { now });
    expect(result).toEqual({
      ok: true,
      event: {
        specversion: '1.0',
        id: 'e-1',
        source: 'defectdojo',
        type: 'scan_added',
        time: '2026-11-23T10:00:00.000Z',
        data: { product: { id: '7', name: 'Web' }, title: 'Scan Added', description: 'Event scan_added has occurred.' },
      },
    });
  });

  it.each([
    ['product_added', { product: { id: '1', name: 'Web' } }, 'Product Web has been created successfully.'],
    ['product_type_added', { product_type: { id: '2', name: 'Apps' } }, 'Product Type Apps has been created successfully.'],
    ['dummy_foo_event', {}, 'Event dummy_foo_event has occurred.'],
  ])('default description for %s', (type, data, description) => {
    const result = parseEvent(raw({ ...valid, type, data }), { now });
    expect(result.ok && result.event.data.description).toBe(description);
  });

  it('keeps a given time, title, description and event-specific fields unchanged', () => {
    const data = { title: 'T: [x] "q"', description: 'D', finding_count: 3, findings: { new: [{ id: '1' }] } };
    const result = parseEvent(raw({ ...valid, time: '2026-01-02T03:04:05+01:00', data }), { now });
    expect(result.ok && result.event).toMatchObject({ time: '2026-01-02T03:04:05+01:00', data });
  });

  it.each<[string, unknown, string, RegExp]>([
    ['missing id', { ...valid, id: undefined }, 'id', /required/],
    ['empty id', { ...valid, id: '' }, 'id', /empty/],
    ['numeric id', { ...valid, id: 5 }, 'id', /string/],
    ['missing source', { ...valid, source: undefined }, 'source', /required/],
    ['wrong specversion', { ...valid, specversion: '0.3' }, 'specversion', /"1\.0"/],
    ['bad type name', { ...valid, type: 'Scan Added' }, 'type', /\[a-z0-9_\]\+/],
    ['bad time', { ...valid, time: 'yesterday' }, 'time', /RFC 3339/],
    [
      'recipients as objects',
      { ...valid, data: { recipients: ['ann', { username: 'bob' }] } },
      'data.recipients[1]',
      /username \(string\)/,
    ],
    ['recipients not an array', { ...valid, data: { recipients: 'ann' } }, 'data.recipients', /array of usernames/],
    ['no_users not a boolean', { ...valid, data: { no_users: 'yes' } }, 'data.no_users', /true or false/],
    ['product without id', { ...valid, data: { product: { name: 'Web' } } }, 'data.product.id', /required/],
    ['data not an object', { ...valid, data: [1] }, 'data', /object/],
  ])('rejects %s, naming the field', (_label, input, path, message) => {
    const result = parseEvent(raw(input), { now });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    const issue = result.issues.find((i) => i.path === path);
    expect(issue).toBeDefined();
    expect(issue?.message).toMatch(message);
  });

  it('reports every problem at once', () => {
    const result = parseEvent(raw({ specversion: '1.0', type: 'BAD' }), { now });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.issues.map((i) => i.path).sort()).toEqual(['id', 'source', 'type']);
  });

  it('rejects malformed JSON with the parser position', () => {
    const result = parseEvent('{"id": ', { now });
    expect(result).toEqual({
      ok: false,
      issues: [expect.objectContaining({ path: '', message: expect.stringMatching(/^malformed JSON/) })],
    });
  });

  it('rejects a JSON value that is not an object', () => {
    const result = parseEvent('[1,2]', { now });
    expect(result).toEqual({ ok: false, issues: [expect.objectContaining({ message: 'must be a JSON object' })] });
  });

  it('rejects an event over the size limit before parsing it', () => {
    const big = raw({ ...valid, data: { description: 'x'.repeat(2_000) } });
    const result = parseEvent(big, { now, maxBytes: 1_024 });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.issues[0]?.message).toMatch(/over the limit of 1024 bytes/);
  });

  it('refuses a 10 000-level nested array at validation, naming where the limit was passed', () => {
    const deep = `{"specversion":"1.0","id":"deep","source":"t","type":"scan_added","data":{"nested":${'['.repeat(10_000)}${']'.repeat(10_000)}}}`;
    const result = parseEvent(deep, { now });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.issues).toHaveLength(1);
    expect(result.issues[0]?.path).toBe(`data.nested${'[0]'.repeat(MAX_JSON_DEPTH - 2)}`);
    expect(result.issues[0]?.message).toBe(`is nested more than ${MAX_JSON_DEPTH} levels deep`);
  });

  it('accepts nesting up to the limit exactly', () => {
    // envelope (1) → data (2) → nested arrays (3 … MAX_JSON_DEPTH)
    const arrays = MAX_JSON_DEPTH - 2;
    const atLimit = `{"specversion":"1.0","id":"ok","source":"t","type":"scan_added","data":{"nested":${'['.repeat(arrays)}${']'.repeat(arrays)}}}`;
    expect(parseEvent(atLimit, { now }).ok).toBe(true);
    const over = `{"specversion":"1.0","id":"ok","source":"t","type":"scan_added","data":{"nested":${'['.repeat(arrays + 1)}${']'.repeat(arrays + 1)}}}`;
    expect(parseEvent(over, { now }).ok).toBe(false);
  });

  it.each<[string, unknown, string]>([
    ['title', { ...valid, data: { title: 'a\u0000b' } }, 'data.title'],
    ['an event-specific field', { ...valid, data: { note: { text: ['ok', 'x\u0000'] } } }, 'data.note.text[1]'],
    ['a recipient', { ...valid, data: { recipients: ['ann\u0000'] } }, 'data.recipients[0]'],
    ['the id', { ...valid, id: 'e\u00001' }, 'id'],
    ['a field name', { ...valid, data: { 'k\u0000': 1 } }, 'data.k\\u0000'],
  ])('refuses \\u0000 in %s, naming the field', (_label, input, path) => {
    const result = parseEvent(raw(input), { now });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.issues).toEqual([expect.objectContaining({ path, message: expect.stringMatching(/NUL character/) })]);
  });

  it.each<[string, unknown, string, RegExp]>([
    ['an id with a line feed', { ...valid, id: 'a\nb' }, 'id', /control characters/],
    ['a source with a carriage return', { ...valid, source: 'a\rb' }, 'source', /control characters/],
    ['an id over 256 characters', { ...valid, id: 'x'.repeat(MAX_EVENT_ID_LENGTH + 1) }, 'id', /at most 256 characters/],
  ])('refuses %s (ids travel in NATS headers)', (_label, input, path, message) => {
    const result = parseEvent(raw(input), { now });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.issues).toEqual([expect.objectContaining({ path, message: expect.stringMatching(message) })]);
  });
});
