import { describe, expect, it } from 'vitest';
import { secretPolicy } from './secret-policy.js';

describe('secretPolicy', () => {
  it('refuses to save on Linux with the basic_text fallback', () => {
    const policy = secretPolicy({ platform: 'linux', encryptionAvailable: true, linuxBackend: 'basic_text' });
    expect(policy.canSave).toBe(false);
    if (!policy.canSave) expect(policy.reason).toMatch(/fixed key/);
  });

  it('refuses when encryption is unavailable or the backend unknown', () => {
    expect(secretPolicy({ platform: 'darwin', encryptionAvailable: false }).canSave).toBe(false);
    expect(secretPolicy({ platform: 'linux', encryptionAvailable: true, linuxBackend: 'unknown' }).canSave).toBe(false);
  });

  it('saves with a real keyring, Keychain or DPAPI', () => {
    expect(secretPolicy({ platform: 'linux', encryptionAvailable: true, linuxBackend: 'gnome_libsecret' }).canSave).toBe(true);
    expect(secretPolicy({ platform: 'linux', encryptionAvailable: true, linuxBackend: 'kwallet6' }).canSave).toBe(true);
    expect(secretPolicy({ platform: 'darwin', encryptionAvailable: true }).canSave).toBe(true);
    expect(secretPolicy({ platform: 'win32', encryptionAvailable: true }).canSave).toBe(true);
  });
});
