/** The SecretBox the console server uses in the desktop app: Electron's safeStorage, checked first. */
import { safeStorage } from 'electron';
import { NoSecretBox, type SecretBox } from '../core/console/secret-box.js';
import { secretPolicy } from './secret-policy.js';

const PREFIX = 'ss1:';

/** Call after `app` is ready: before that the Linux backend is 'unknown'. */
export function safeStorageSecretBox(): SecretBox {
  const policy = secretPolicy({
    platform: process.platform,
    encryptionAvailable: safeStorage.isEncryptionAvailable(),
    ...(process.platform === 'linux' ? { linuxBackend: safeStorage.getSelectedStorageBackend() } : {}),
  });
  if (!policy.canSave) return new NoSecretBox(policy.reason);
  return {
    kind: 'os-keychain',
    canSave: true,
    encrypt: (plaintext) => PREFIX + safeStorage.encryptString(plaintext).toString('base64'),
    decrypt: (sealed) => {
      if (!sealed.startsWith(PREFIX)) throw new Error('unknown secret format');
      return safeStorage.decryptString(Buffer.from(sealed.slice(PREFIX.length), 'base64'));
    },
  };
}
