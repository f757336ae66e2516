// Who may open an association (PS3.8 9.3.4 A-ASSOCIATE-RJ reasons): the called AE title must be ours,
// and the calling AE title must be on the configured list (`AET` from anywhere, `AET@ip` from that
// address only). With no list configured (the embedded default) any AE from loopback is accepted and
// nothing else, so a fresh install never answers the network.
import { isIP } from 'node:net';

export interface AllowedAe {
  readonly aeTitle: string;
  /** Address the association must come from; undefined: any. */
  readonly host?: string;
}

export interface AePolicy {
  readonly ownAeTitle: string;
  /** Undefined: loopback only, any calling AE. */
  readonly allowed?: readonly AllowedAe[];
}

export type AssociationDecision =
  | { readonly accept: true }
  | { readonly accept: false; readonly reason: 'called-ae-not-recognized' | 'calling-ae-not-recognized' };

/** PS3.5 6.2 AE: 16 characters, no backslash, no control characters. */
const AE_TITLE = /^[^\\\p{Cc}]{1,16}$/u;

/** Parses `YY_DICOM_ALLOWED_AES` items (`AET` or `AET@host`); throws naming the bad item. */
export function parseAllowedAes(items: readonly string[]): AllowedAe[] {
  return items.map((item) => {
    const at = item.lastIndexOf('@');
    const aeTitle = (at < 0 ? item : item.slice(0, at)).trim();
    const host = at < 0 ? undefined : item.slice(at + 1).trim();
    // An IP address, not a name: the policy must not depend on what DNS answers at connect time.
    if (!AE_TITLE.test(aeTitle) || aeTitle.trim() === '' || (host !== undefined && isIP(host) === 0)) {
      throw new Error(`"${item}" is not AET or AET@ip-address`);
    }
    return host === undefined ? { aeTitle } : { aeTitle, host };
  });
}

/** Strips the IPv4-mapped IPv6 prefix Node reports for IPv4 peers on a dual-stack socket. */
export function normalizeAddress(address: string): string {
  return address.startsWith('::ffff:') && isIP(address.slice(7)) === 4 ? address.slice(7) : address;
}

export function isLoopbackAddress(address: string): boolean {
  const a = normalizeAddress(address);
  return a === '::1' || /^127\./.test(a);
}

/** AE titles compare without their space padding (PS3.5 6.2: leading and trailing spaces are not significant). */
function sameAe(a: string, b: string): boolean {
  return a.trim() === b.trim();
}

export function decideAssociation(policy: AePolicy, calledAe: string, callingAe: string, remoteAddress: string): AssociationDecision {
  if (!sameAe(calledAe, policy.ownAeTitle)) return { accept: false, reason: 'called-ae-not-recognized' };
  if (policy.allowed === undefined) {
    return isLoopbackAddress(remoteAddress) ? { accept: true } : { accept: false, reason: 'calling-ae-not-recognized' };
  }
  const from = normalizeAddress(remoteAddress);
  const ok = policy.allowed.some((a) => sameAe(a.aeTitle, callingAe) && (a.host === undefined || normalizeAddress(a.host) === from));
  return ok ? { accept: true } : { accept: false, reason: 'calling-ae-not-recognized' };
}
