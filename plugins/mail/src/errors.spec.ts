import { describe, expect, it } from '@jest/globals';
import { classifyMailError } from './errors.js';

const smtpError = (responseCode: number | undefined, code: string | undefined, message = 'boom') =>
  Object.assign(new Error(message), responseCode === undefined ? {} : { responseCode }, code === undefined ? {} : { code });

describe('classifyMailError', () => {
  it.each([
    [smtpError(421, 'EENVELOPE', 'service not available'), 'retry', 'SMTP 421: service not available'],
    [smtpError(450, 'EENVELOPE', 'mailbox busy'), 'retry', 'SMTP 450: mailbox busy'],
    [smtpError(452, 'EMESSAGE'), 'retry', 'SMTP 452: boom'],
    [smtpError(550, 'EENVELOPE', 'no such user'), 'failed', 'SMTP 550: no such user'],
    [smtpError(535, 'EAUTH', 'bad credentials'), 'failed', 'SMTP 535: bad credentials'],
    [smtpError(undefined, 'ECONNECTION', 'connection refused'), 'retry', 'ECONNECTION: connection refused'],
    [smtpError(undefined, 'ETIMEDOUT'), 'retry', 'ETIMEDOUT: boom'],
    [smtpError(undefined, 'ESOCKET'), 'retry', 'ESOCKET: boom'],
    [smtpError(undefined, 'EDNS'), 'retry', 'EDNS: boom'],
    [smtpError(undefined, 'EENVELOPE', 'no recipients defined'), 'failed', 'EENVELOPE: no recipients defined'],
    [smtpError(undefined, 'ENOSPC', 'disk full'), 'retry', 'ENOSPC: disk full'],
    [smtpError(undefined, undefined, 'something odd'), 'retry', 'something odd'],
    ['a string', 'retry', 'a string'],
  ])('%p → %s', (error, kind, reason) => {
    expect(classifyMailError(error)).toEqual({ kind, reason });
  });
});
