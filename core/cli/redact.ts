/**
 * Scrubbing for anything the CLI prints about a failure: a URL's password (userinfo, or the
 * password-like query parameters drivers accept) is replaced by `***`.
 */

const USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)([^\s/@:]*):([^\s/@]*)@/giu;
const LONE_USERINFO = /\b((?:redis|rediss)(?:\+[a-z]+)?:\/\/)([^\s/@:]+)@/giu;
const SECRET_PARAMS = /([?&](?:password|sslpassword|sentinelPassword|pass)=)[^&\s#]*/giu;

export function redactSecrets(text: string): string {
  return text
    .replace(USERINFO, (_match, scheme: string, user: string) => `${scheme}${user}:***@`)
    .replace(LONE_USERINFO, (_match, scheme: string) => `${scheme}***@`)
    .replace(SECRET_PARAMS, (_match, name: string) => `${name}***`);
}

/** A URL fit to print: its password masked, or a placeholder when it does not parse. */
export function displayUrl(url: string): string {
  return redactSecrets(url);
}
