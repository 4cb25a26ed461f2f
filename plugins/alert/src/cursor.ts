/**
 * Keyset cursors for alert lists (newest first, ties broken by id). A cursor is the position of
 * the last alert of a page: base64url of `{"t": created_at ISO, "i": id}`. Pure.
 * Invariant: `decodeCursor(encodeCursor(p))` equals `p`; anything else decodes to `null`.
 */
import { pathIdIssue } from '@herald/contracts';

export interface CursorPosition {
  readonly createdAt: Date;
  readonly id: string;
}

export function encodeCursor(position: CursorPosition): string {
  return Buffer.from(JSON.stringify({ t: position.createdAt.toISOString(), i: position.id }), 'utf8').toString('base64url');
}

/** The position a cursor points at, or `null` when it was not made by `encodeCursor`. */
export function decodeCursor(cursor: string): CursorPosition | null {
  if (!/^[A-Za-z0-9_-]+$/.test(cursor)) return null;
  let raw: unknown;
  try {
    raw = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    return null;
  }
  if (typeof raw !== 'object' || raw === null) return null;
  const { t, i } = raw as { t?: unknown; i?: unknown };
  if (typeof t !== 'string' || typeof i !== 'string' || pathIdIssue('cursor', i) !== undefined) return null;
  const createdAt = new Date(t);
  if (Number.isNaN(createdAt.getTime()) || createdAt.toISOString() !== t) return null;
  return { createdAt, id: i };
}
