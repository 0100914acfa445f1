/**
 * Where saved passwords are encrypted. Web mode uses a random AES-256-GCM key in a key file
 * readable only by the user; the Electron main supplies a box backed by `safeStorage`. A box that
 * can't protect secrets says so (`canSave: false`) and the registry keeps passwords in memory only.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';

export interface SecretBox {
  readonly kind: 'os-keychain' | 'key-file' | 'none';
  /** False when secrets would not really be protected (no keyring, fixed-key fallback). */
  readonly canSave: boolean;
  /** Why `canSave` is false, in words for the user. */
  readonly reason?: string;
  /** Returns an opaque string safe to write to disk. */
  encrypt(plaintext: string): string;
  decrypt(sealed: string): string;
}

const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const VERSION = 'v1';

/** AES-256-GCM with a random IV per secret: equal passwords never give equal ciphertexts. */
export class KeyFileSecretBox implements SecretBox {
  readonly kind = 'key-file' as const;
  readonly canSave = true;
  private readonly key: Buffer;

  constructor(keyPath: string) {
    this.key = loadOrCreateKey(keyPath);
  }

  encrypt(plaintext: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    const tag = cipher.getAuthTag();
    return `${VERSION}:${Buffer.concat([iv, tag, body]).toString('base64')}`;
  }

  decrypt(sealed: string): string {
    const [version, payload] = sealed.split(':', 2);
    if (version !== VERSION || payload === undefined) throw new Error('unknown secret format');
    const raw = Buffer.from(payload, 'base64');
    const iv = raw.subarray(0, IV_BYTES);
    const tag = raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES);
    const body = raw.subarray(IV_BYTES + TAG_BYTES);
    const decipher = createDecipheriv('aes-256-gcm', this.key, iv);
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(body), decipher.final()]).toString('utf8');
  }
}

function loadOrCreateKey(keyPath: string): Buffer {
  if (existsSync(keyPath)) {
    const key = Buffer.from(readFileSync(keyPath, 'utf8').trim(), 'base64');
    if (key.length !== KEY_BYTES) throw new Error(`secret key file ${keyPath} is corrupt`);
    // Tighten a key file someone loosened.
    chmodSync(keyPath, 0o600);
    return key;
  }
  const key = randomBytes(KEY_BYTES);
  // 'wx': never overwrite a key another process just created.
  writeFileSync(keyPath, key.toString('base64'), { mode: 0o600, flag: 'wx' });
  return key;
}

/** For a shell that has no real secret store: nothing is written, the user is told why. */
export class NoSecretBox implements SecretBox {
  readonly kind = 'none' as const;
  readonly canSave = false;
  readonly reason: string;

  constructor(reason: string) {
    this.reason = reason;
  }

  encrypt(): string {
    throw new Error(this.reason);
  }

  decrypt(): string {
    throw new Error(this.reason);
  }
}
