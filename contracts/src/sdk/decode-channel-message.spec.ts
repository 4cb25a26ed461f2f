import { describe, expect, it } from '@jest/globals';
import { alice, channelMessage, digestChannelMessage } from '../testing/channel-message-fixtures.js';
import { decodeChannelMessage } from './run-plugin.js';

/* What a plugin receives: ordinary messages and digests (SPEC §3.6), every event validated. */
const encode = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));

describe('decodeChannelMessage', () => {
  const items = ['a', 'b'].map((id) => channelMessage('mail', 'user_mentioned', { scope: 'personal', user: alice }, { eventId: id }));

  it('keeps a digest and its items', () => {
    const digest = digestChannelMessage(items);
    const decoded = decodeChannelMessage(encode(digest));
    expect(decoded).toEqual({ ok: true, message: digest });
  });

  it('decodes an ordinary message without a digest field', () => {
    const decoded = decodeChannelMessage(encode(items[0]));
    expect(decoded.ok && 'digest' in decoded.message).toBe(false);
  });

  it('refuses a digest whose item carries an invalid event, naming the field', () => {
    const digest = digestChannelMessage(items);
    const broken = {
      ...digest,
      digest: {
        ...digest.digest,
        items: [
          digest.digest?.items[0],
          { ...digest.digest?.items[1], event: { specversion: '1.0', id: '', source: 'x', type: 'user_mentioned', data: {} } },
        ],
      },
    };
    const decoded = decodeChannelMessage(encode(broken));
    expect(decoded.ok).toBe(false);
    expect(decoded.ok ? '' : decoded.reason).toBe(
      'not a channel message: digest.items[1].event.id: must not be empty (unique per publisher)',
    );
  });
});
