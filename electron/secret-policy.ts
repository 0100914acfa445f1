/**
 * Whether Electron's safeStorage really protects secrets here. On Linux it may fall back to
 * 'basic_text' (a hard-coded key): then we refuse to save passwords rather than pretend.
 * Pure, so it is tested without Electron.
 */
export interface SafeStorageFacts {
  platform: NodeJS.Platform;
  encryptionAvailable: boolean;
  /** `safeStorage.getSelectedStorageBackend()` on Linux; undefined elsewhere. */
  linuxBackend?: string;
}

export type SecretPolicy = { canSave: true } | { canSave: false; reason: string };

export function secretPolicy(facts: SafeStorageFacts): SecretPolicy {
  if (!facts.encryptionAvailable) {
    return { canSave: false, reason: 'The operating system offers no secret store to this app, so passwords are kept for this session only.' };
  }
  if (facts.platform === 'linux') {
    const backend = facts.linuxBackend ?? 'unknown';
    if (backend === 'basic_text') {
      return {
        canSave: false,
        reason: 'No desktop keyring (GNOME Keyring / KWallet) was found: Electron would encrypt with a fixed key, which protects nothing. Passwords are kept for this session only.',
      };
    }
    if (backend === 'unknown') {
      return { canSave: false, reason: 'The desktop keyring could not be identified, so passwords are kept for this session only.' };
    }
  }
  return { canSave: true };
}
