import { describe, expect, it } from '@jest/globals';
import { z } from 'zod';
import { SecretBox } from '../secrets/secret-box.js';
import { declareChannelConfig, sealSecretFields } from './config-registration.js';

const schema = z.object({
  url: z.url().optional(),
  channel: z.string().default('town-square'),
  retries: z.number().int().default(3),
  note: z.string().optional(),
});

describe('declareChannelConfig', () => {
  it('declares the JSON Schema (unknown fields refused), the secret fields and the defaults', () => {
    const declaration = declareChannelConfig({ channel: 'mattermost', configSchema: schema, secretFields: ['url'] });
    expect(declaration.secret_fields).toEqual(['url']);
    expect(declaration.defaults).toEqual({ channel: 'town-square', retries: 3 });
    expect(declaration.config_schema).toMatchObject({
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      type: 'object',
      additionalProperties: false,
      properties: { url: { type: 'string', format: 'uri' }, channel: { type: 'string', default: 'town-square' } },
    });
  });

  it('gives a secret no default, even when the schema has one', () => {
    const declaration = declareChannelConfig({
      channel: 'x',
      configSchema: z.object({ token: z.string().default('changeme') }),
      secretFields: ['token'],
    });
    expect(declaration.defaults).toEqual({});
  });

  it('refuses a secret field the schema does not have, naming the fields it has', () => {
    expect(() => declareChannelConfig({ channel: 'mattermost', configSchema: schema, secretFields: ['uri'] })).toThrow(
      'The mattermost plugin declares secret field "uri", which its configSchema does not have; fields: url, channel, retries, note',
    );
  });

  it('refuses a schema that is not an object', () => {
    expect(() => declareChannelConfig({ channel: 'x', configSchema: z.string() })).toThrow(
      "The x plugin's configSchema must be a zod object (z.object({ … }))",
    );
  });
});

describe('sealSecretFields', () => {
  const box = SecretBox.fromBase64(SecretBox.generateKey());

  it('seals plaintext in the declared fields only, bound to <channel>.<field>; sealed values pass unchanged', () => {
    const sealed = sealSecretFields('mattermost', { url: 'https://hook', channel: 'sec' }, ['url'], box);
    expect(sealed['channel']).toBe('sec');
    expect(SecretBox.isSealed(sealed['url'])).toBe(true);
    expect(box.open(sealed['url'] as string, 'mattermost.url')).toBe('https://hook');
    expect(sealSecretFields('mattermost', sealed, ['url'], box)).toEqual(sealed);
  });

  it('leaves a field nobody declared secret in plaintext: the declaration decides', () => {
    expect(sealSecretFields('mattermost', { url: 'https://hook' }, [], box)).toEqual({ url: 'https://hook' });
  });
});
