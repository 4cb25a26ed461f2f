/** Channels shipped with Herald. Third-party plugins add more names at run time. */
export const BUILTIN_CHANNELS = ['alert', 'mail', 'slack', 'msteams', 'webhooks'] as const;
export type BuiltinChannel = (typeof BUILTIN_CHANNELS)[number];

/** Channel names are subject tokens: lowercase letters, digits, `_` and `-`, at most 32. */
export const CHANNEL_NAME_PATTERN = /^[a-z][a-z0-9_-]{0,31}$/;

/** Channels that only exist at system scope (rejected in personal, product and template rows). */
export const SYSTEM_ONLY_CHANNELS: ReadonlySet<string> = new Set(['msteams']);

/** `alert` can never be disabled: it is Herald's own in-app channel. */
export const ALWAYS_ENABLED_CHANNELS: ReadonlySet<string> = new Set(['alert']);
