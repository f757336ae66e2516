// The credential storage nodes accept on their blob data path. Derived from the admin token (HMAC with a
// fixed label) rather than the token itself: every node of a cluster is configured with the same
// YY_ADMIN_TOKEN, the derived secret is useless on /api, and a leak of the data-path secret from a
// storage node's traffic does not hand out the operator's token.
import { createHmac } from 'node:crypto';

export function deriveClusterSecret(adminToken: string): string {
  return createHmac('sha256', adminToken).update('yunying storage data path v1').digest('base64url');
}
