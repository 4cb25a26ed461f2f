/** The alert plugin's own environment: defaults, and one error naming every bad variable. */
import { describe, expect, it } from '@jest/globals';
import { loadAlertEnv } from './env.js';

describe('loadAlertEnv', () => {
  it('applies defaults (blank variables count as unset)', () => {
    expect(loadAlertEnv({ DATABASE_URL: '', HERALD_MAX_ALERTS_PER_USER: ' ' })).toEqual({
      databaseUrl: undefined,
      dataDir: '.herald',
      maxAlertsPerUser: 999,
    });
  });

  it('reads every variable', () => {
    expect(loadAlertEnv({ DATABASE_URL: 'postgresql://pg/herald', HERALD_DATA_DIR: '/data', HERALD_MAX_ALERTS_PER_USER: '-1' })).toEqual({
      databaseUrl: 'postgresql://pg/herald',
      dataDir: '/data',
      maxAlertsPerUser: -1,
    });
  });

  it.each<[string, Record<string, string>, string[]]>([
    [
      'a non-postgres URL and -2',
      { DATABASE_URL: 'mysql://x', HERALD_MAX_ALERTS_PER_USER: '-2' },
      ['DATABASE_URL', 'HERALD_MAX_ALERTS_PER_USER'],
    ],
    ['a fractional maximum', { HERALD_MAX_ALERTS_PER_USER: '2.5' }, ['HERALD_MAX_ALERTS_PER_USER']],
    ['a word as maximum', { HERALD_MAX_ALERTS_PER_USER: 'many' }, ['HERALD_MAX_ALERTS_PER_USER']],
  ])('names every bad variable in one error: %s', (_label, env, paths) => {
    let thrown: unknown;
    try {
      loadAlertEnv(env);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toMatchObject({ code: 'invalid_configuration', details: paths.map((path) => expect.objectContaining({ path })) });
  });
});
