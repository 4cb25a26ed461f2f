/**
 * The mail channel's only I/O: handing a rendered mail to SMTP (`SMTP_URL`), or, when no SMTP
 * server is configured, writing it as an `.eml` file into an outbox directory (SPEC §10). Both
 * produce the same RFC 5322 message through nodemailer; errors keep nodemailer's `code` and
 * `responseCode` for `classifyMailError`.
 */
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { createTransport } from 'nodemailer';
import type { MailRequest } from './render.js';

export interface MailSendResult {
  readonly accepted: readonly string[];
  readonly rejected: readonly string[];
  /** Server reply, or the written file. */
  readonly response: string;
}

export interface MailTransport {
  /** Where mail goes, for logs: `smtp://host:port` (no credentials) or `outbox <dir>`. */
  readonly description: string;
  send(mail: MailRequest): Promise<MailSendResult>;
  close(): void;
}

function toMessage(mail: MailRequest) {
  return {
    from: mail.from,
    to: [...mail.to],
    subject: mail.subject,
    text: mail.text,
    html: mail.html,
    messageId: mail.messageId,
    headers: { ...mail.headers },
  };
}

/**
 * SMTP connections of the pool, and so the mails one replica sends at once unless
 * `HERALD_PLUGIN_CONCURRENCY` says otherwise: a mail in flight beyond them is not being sent, it
 * waits in the pool's queue, built and held in memory, while its message's acknowledgement
 * deadline runs. (The memory this saves is small: `BENCH_PHASES=memory`, mail plugin peak
 * 149-153 MB at 5 in flight against 152-159 MB at 16; test/bench/README.md, "Seventh session".)
 */
export const SMTP_POOL_SIZE = 5;

export interface SmtpTransportOptions {
  /** `smtp://user:pass@host:port` or `smtps://…`; nodemailer URL options (`?pool=true`, …) apply. */
  readonly url: string;
  /** Parallel SMTP connections. @default SMTP_POOL_SIZE (5) */
  readonly maxConnections?: number;
  /** Connect / greeting / socket timeouts, ms. @default 30000 */
  readonly timeoutMs?: number;
}

/** SMTP through a pool of connections. */
export function smtpTransport(options: SmtpTransportOptions): MailTransport {
  const timeout = options.timeoutMs ?? 30_000;
  const transporter = createTransport({
    url: options.url,
    pool: true,
    maxConnections: options.maxConnections ?? SMTP_POOL_SIZE,
    connectionTimeout: timeout,
    greetingTimeout: timeout,
    socketTimeout: timeout,
  });
  const parsed = new URL(options.url);
  return {
    description: `${parsed.protocol}//${parsed.host}`,
    async send(mail) {
      const info = await transporter.sendMail(toMessage(mail));
      return { accepted: info.accepted.map(String), rejected: info.rejected.map(String), response: info.response };
    },
    close: () => transporter.close(),
  };
}

/**
 * Writes each mail to `<dir>/<sha256 of Message-ID>.eml` (atomically: temporary file, then rename).
 * Sending the same mail again replaces the file, so the outbox holds each mail once.
 */
export function outboxTransport(dir: string): MailTransport {
  const transporter = createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
  return {
    description: `outbox ${dir}`,
    async send(mail) {
      const info = await transporter.sendMail(toMessage(mail));
      const name = createHash('sha256').update(mail.messageId).digest('hex');
      await mkdir(dir, { recursive: true });
      const file = join(dir, `${name}.eml`);
      const temporary = join(dir, `.${name}.${process.pid}.tmp`);
      await writeFile(temporary, info.message as Buffer);
      await rename(temporary, file);
      return { accepted: [...mail.to], rejected: [], response: `written to ${file}` };
    },
    close: () => transporter.close(),
  };
}
