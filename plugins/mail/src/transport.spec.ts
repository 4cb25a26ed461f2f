import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { simpleParser } from 'mailparser';
import { outboxTransport } from './transport.js';

const dir = mkdtempSync(join(tmpdir(), 'herald-outbox-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('outboxTransport', () => {
  it('writes each mail once as an .eml file, replacing it when the same mail is sent again', async () => {
    const outbox = outboxTransport(join(dir, 'outbox'));
    const mail = {
      from: 'dojo@example.com',
      to: ['a@example.com', 'b@example.com'],
      subject: 'AppSec notification: Hello',
      text: 'plain part',
      html: '<p>html part</p>',
      messageId: '<abc@herald>',
      headers: { 'X-Herald-Event-Type': 'scan_added' },
    };
    const first = await outbox.send(mail);
    await outbox.send(mail);
    outbox.close();
    const files = readdirSync(join(dir, 'outbox'));
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(/^[0-9a-f]{64}\.eml$/);
    expect(first.accepted).toEqual(['a@example.com', 'b@example.com']);
    const parsed = await simpleParser(readFileSync(join(dir, 'outbox', files[0]!)));
    expect(parsed.messageId).toBe('<abc@herald>');
    expect(parsed.subject).toBe('AppSec notification: Hello');
    expect(parsed.text?.trim()).toBe('plain part');
    expect(parsed.html).toBe('<p>html part</p>');
    expect(parsed.headers.get('x-herald-event-type')).toBe('scan_added');
  });
});
