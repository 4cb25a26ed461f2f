/**
 * Encryption of channel secrets at rest and in the `herald_channel_config` KV bucket (SPEC §2.5).
 * The sealed format (`enc:v1:<iv>:<ciphertext>:<tag>`, AES-256-GCM, AAD `<channel>.<field>`) is
 * part of the contract: plugins open what the gateway seals, so both use the one implementation
 * in `@herald/contracts`.
 */
export { SECRET_KEY_HELP, SecretBox } from '@herald/contracts';
