import { errors } from 'jose';

/** Claims whose name may be quoted back to the caller; any other name comes from the token. */
const KNOWN_CLAIMS = new Set(['exp', 'nbf', 'iat', 'iss', 'aud', 'sub']);

/**
 * Why jose refused a token, in words safe to show the caller: enough for a developer to fix a
 * client (expired? wrong audience?), nothing about our keys or configuration values.
 */
export function reasonTokenWasRefused(error: unknown): string {
  if (error instanceof errors.JWTExpired) return 'the bearer token has expired';
  if (error instanceof errors.JWTClaimValidationFailed) return claimRefusal(error.claim, error.reason);
  if (error instanceof errors.JWSSignatureVerificationFailed) return 'the bearer token\'s signature does not verify';
  if (error instanceof errors.JWKSNoMatchingKey) return 'the bearer token is signed with a key the identity provider does not publish';
  if (error instanceof errors.JOSEAlgNotAllowed || error instanceof errors.JOSENotSupported) {
    return 'the bearer token is signed with an algorithm that is not accepted here';
  }
  if (error instanceof errors.JWSInvalid || error instanceof errors.JWTInvalid) return 'the bearer token is malformed';
  return 'the bearer token is not valid';
}

function claimRefusal(claim: string, reason: string): string {
  if (!KNOWN_CLAIMS.has(claim)) return 'the bearer token is not valid';
  if (reason === 'missing') return `the bearer token has no "${claim}" claim`;
  switch (claim) {
    case 'nbf':
      return 'the bearer token is not valid yet (nbf)';
    case 'iss':
      return 'the bearer token was not issued by the expected issuer (iss)';
    case 'aud':
      return 'the bearer token is not meant for this service (aud)';
    default:
      return `the bearer token's "${claim}" claim is not acceptable`;
  }
}
