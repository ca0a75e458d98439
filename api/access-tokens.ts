/**
 * Access tokens: how the API signs its own (HS256, for `npm start` and
 * `npm run token`) and how it verifies every bearer token, either against
 * that secret or against an identity provider's JWKS.
 */
import { SignJWT, createRemoteJWKSet, errors, jwtVerify, type JWTVerifyGetKey, type JWTVerifyOptions } from 'jose'
import { apiDefaults, type JwksAlgorithm } from '../config.js'
import { ApiProblem } from './problem.js'
import { contactEmailOf, languageTagOf } from './contact-fields.js'
import { textProblem } from './text-field.js'

/** The longest `sub` a token may carry, in characters: it is stored as the customer id of every order placed with it. */
export const MAX_SUBJECT_LENGTH = 200

export type Role = 'customer' | 'admin'

/** Who is calling: the token's subject and role, and the address and language it gives, when it does. */
export interface Principal {
  subject: string
  role: Role
  /** The token's `email` claim, when it is an address (and `email_verified` is not false); else absent. */
  email?: string
  /** The token's `locale` claim (OpenID Connect), when it is a language tag; else absent. */
  locale?: string
}

export interface TokenOptions {
  subject: string
  role: Role
  /** Lifetime in seconds; 24 h by default. */
  expiresIn?: number
  /** The `iss` claim; `order-engine` (the default of JWT_ISSUER) when omitted. */
  issuer?: string
  /** The `aud` claim; `order-engine-api` (the default of JWT_AUDIENCE) when omitted. */
  audience?: string
  /** An `email` claim, where the customer's notification mails go. */
  email?: string
  /** A `locale` claim (`fr-FR`), the language of the customer's mails. */
  locale?: string
}

/**
 * Signs an HS256 access token with `sub`, `role`, `iss`, `aud`, `iat` and `exp`.
 *
 * @example
 * ```ts
 * await signAccessToken(secret, { subject: 'cust_42', role: 'customer' })
 * ```
 *
 * Pass the configured issuer and audience when they are not the defaults,
 * or the API refuses the token. A subject the API would refuse (see
 * {@link createAccessTokenVerifier}) throws a RangeError. With JWKS_URL set the API refuses every
 * token signed here: tokens then come from the identity provider.
 */
export async function signAccessToken(secret: string, options: TokenOptions): Promise<string> {
  const subjectProblem = textProblem(options.subject, { min: 1, max: MAX_SUBJECT_LENGTH })
  // A token the API would refuse is never signed.
  if (subjectProblem) throw new RangeError(`The subject ${subjectProblem}`)
  const now = Math.floor(Date.now() / 1000)
  return new SignJWT({
    role: options.role,
    ...(options.email ? { email: options.email } : {}),
    ...(options.locale ? { locale: options.locale } : {}),
  })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(options.subject)
    .setIssuer(options.issuer ?? apiDefaults.jwtIssuer)
    .setAudience(options.audience ?? apiDefaults.jwtAudience)
    .setIssuedAt(now)
    .setExpirationTime(now + (options.expiresIn ?? 86_400))
    .sign(new TextEncoder().encode(secret))
}

/** Turns a bearer token into the caller, or throws a 401 (or 503 when the identity provider is unreachable). */
export interface AccessTokenVerifier {
  verify(token: string): Promise<Principal>
}

export interface AccessTokenVerifierProps {
  /** The HS256 secret; ignored when `jwksUrl` is set. */
  secret: string
  issuer: string
  audience: string
  /** Verify against this JWKS (RS256/ES256 … from an identity provider) instead of the secret. */
  jwksUrl: string | null
  /** The algorithms a JWKS-verified token may use; RS256 and ES256 by default. */
  jwksAlgorithms?: readonly JwksAlgorithm[]
  /** Leeway for `exp` and `nbf` against clock skew between machines; 5 s by default (JWT_CLOCK_TOLERANCE). */
  clockToleranceSeconds?: number
}

/**
 * Builds the verifier the API uses for every bearer token.
 *
 * @example
 * ```ts
 * const tokens = createAccessTokenVerifier({ secret, issuer: 'order-engine', audience: 'order-engine-api', jwksUrl: null })
 * const principal = await tokens.verify(token) // { subject: 'cust_42', role: 'customer' }
 * ```
 *
 * Every token must carry `exp`, a `sub` of 1 to {@link MAX_SUBJECT_LENGTH}
 * characters without control characters or unpaired surrogates (the text
 * rule of the whole contract), a `role` of `customer` or `admin`,
 * the configured `iss` and `aud`, and be signed with a pinned algorithm:
 * HS256 with the secret, or one of `jwksAlgorithms` with a key of the JWKS.
 * `alg: none` never passes, and with a JWKS an HS256 token never does either
 * (so a public key can never be used as an HMAC secret). The JWKS is fetched
 * on first use, cached for 10 minutes and refetched when a token names an
 * unknown key id (at most every 30 s).
 *
 * A token that passed is remembered (up to {@link VERIFIED_TOKENS_CACHED}
 * tokens, the least recently used dropped first) until its `exp`, and never
 * more than {@link VERIFIED_TOKEN_MAX_AGE_MS}: its next request skips the
 * signature. After `exp` the token is verified again, with the leeway, and
 * refused once past it. Refusals are never remembered.
 */
export function createAccessTokenVerifier(props: AccessTokenVerifierProps): AccessTokenVerifier {
  const options: JWTVerifyOptions = {
    issuer: props.issuer,
    audience: props.audience,
    requiredClaims: ['exp', 'sub'],
    clockTolerance: props.clockToleranceSeconds ?? apiDefaults.jwtClockToleranceSeconds,
  }
  let verifyToken: (token: string) => Promise<Record<string, unknown>>
  if (props.jwksUrl) {
    const keys: JWTVerifyGetKey = createRemoteJWKSet(new URL(props.jwksUrl), { timeoutDuration: 5_000 })
    const algorithms = [...(props.jwksAlgorithms ?? apiDefaults.jwksAlgorithms)]
    verifyToken = async (token) => (await jwtVerify(token, keys, { ...options, algorithms })).payload
  } else {
    if (props.secret.length < 32) throw new Error('The HS256 secret must be at least 32 characters')
    const key = new TextEncoder().encode(props.secret)
    verifyToken = async (token) => (await jwtVerify(token, key, { ...options, algorithms: ['HS256'] })).payload
  }

  const verified = new VerifiedTokens()
  return {
    async verify(token) {
      const remembered = verified.get(token)
      if (remembered) return { ...remembered }
      let claims: Record<string, unknown>
      try {
        claims = await verifyToken(token)
      } catch (error) {
        throw tokenProblem(error, props.jwksUrl !== null)
      }
      const principal = principalOf(claims)
      // `exp` is required and checked above: a number of seconds.
      verified.set(token, principal, Number(claims['exp']) * 1000)
      return { ...principal }
    },
  }
}

/** How many verified tokens the API remembers at most (some 500 bytes each). */
const VERIFIED_TOKENS_CACHED = 10_000

/** The longest a verified token is remembered, whatever its `exp`: a key the JWKS dropped stops passing by then. */
const VERIFIED_TOKEN_MAX_AGE_MS = 5 * 60_000

/** Tokens that passed, with their caller, each until its `exp` (a Map keeps insertion order: the oldest use first). */
class VerifiedTokens {
  readonly #entries = new Map<string, { principal: Principal; until: number }>()

  get(token: string): Principal | null {
    const entry = this.#entries.get(token)
    if (!entry) return null
    this.#entries.delete(token)
    if (Date.now() >= entry.until) return null
    this.#entries.set(token, entry)
    return entry.principal
  }

  set(token: string, principal: Principal, expiresAt: number): void {
    const until = Math.min(expiresAt, Date.now() + VERIFIED_TOKEN_MAX_AGE_MS)
    if (!(until > Date.now())) return
    this.#entries.delete(token)
    this.#entries.set(token, { principal, until })
    if (this.#entries.size > VERIFIED_TOKENS_CACHED) {
      const oldest = this.#entries.keys().next().value
      if (oldest !== undefined) this.#entries.delete(oldest)
    }
  }
}

/** The caller a verified token's claims name, or a 401 when they name none the API accepts. */
function principalOf(claims: Record<string, unknown>): Principal {
  const { sub, role } = claims
  if (typeof sub !== 'string' || sub.length === 0 || (role !== 'customer' && role !== 'admin')) {
    throw new ApiProblem('unauthenticated', 'The bearer token needs a sub claim and a role claim of customer or admin')
  }
  // The subject becomes the customer id of orders and the actor of timeline entries: the text rule applies.
  const subjectProblem = textProblem(sub, { min: 1, max: MAX_SUBJECT_LENGTH })
  if (subjectProblem) throw new ApiProblem('unauthenticated', `The bearer token's "sub" claim ${subjectProblem}`)
  // Optional claims that are not what they should be are ignored, never a reason to refuse the caller.
  const email = claims['email_verified'] === false ? null : contactEmailOf(claims['email'])
  const locale = languageTagOf(claims['locale'])
  return { subject: sub, role, ...(email ? { email } : {}), ...(locale ? { locale } : {}) }
}

/** Says why a token was refused, naming the claim but never echoing what was expected. */
function tokenProblem(error: unknown, usesJwks: boolean): ApiProblem {
  if (error instanceof errors.JWTExpired) return new ApiProblem('unauthenticated', 'The bearer token has expired')
  if (error instanceof errors.JWTClaimValidationFailed) {
    return error.reason === 'missing'
      ? new ApiProblem('unauthenticated', `The bearer token has no "${error.claim}" claim`)
      : new ApiProblem('unauthenticated', `The bearer token's "${error.claim}" claim is not accepted`)
  }
  if (error instanceof errors.JOSEAlgNotAllowed) {
    return new ApiProblem('unauthenticated', "The bearer token's signing algorithm is not accepted")
  }
  if (error instanceof errors.JWKSNoMatchingKey) {
    return new ApiProblem('unauthenticated', 'The bearer token was not signed by a key of the identity provider')
  }
  const keysUnreachable =
    error instanceof errors.JWKSTimeout || error instanceof errors.JWKSInvalid || !(error instanceof errors.JOSEError)
  if (usesJwks && keysUnreachable) {
    // The token may be fine: the identity provider's keys could not be fetched.
    return new ApiProblem('service_unavailable', "The identity provider's signing keys could not be fetched; try again shortly")
  }
  if (error instanceof errors.JWSSignatureVerificationFailed && !usesJwks) {
    return new ApiProblem('unauthenticated', badSignatureDetail)
  }
  return new ApiProblem('unauthenticated', 'The bearer token is invalid')
}

/** What a holder of a token signed with another secret should check; `npm run token` recognises it. */
export const badSignatureDetail =
  "The bearer token's signature does not match this API's HS256 secret: make tokens with `npm run token` where " +
  'JWT_SECRET is the one the API runs with (or, when JWT_SECRET is unset, with the same DATA_DIR as the API)'
