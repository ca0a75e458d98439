import type { MiddlewareHandler } from 'hono'
import { sign, verify } from 'hono/jwt'
import { ApiProblem } from './problem.js'

export type Role = 'customer' | 'admin'

/** Who is calling: the token's subject and role. */
export interface Principal {
  subject: string
  role: Role
}

export interface TokenOptions {
  subject: string
  role: Role
  /** Lifetime in seconds; 24 h by default. */
  expiresIn?: number
}

/**
 * Signs an HS256 access token.
 *
 * @example
 * ```ts
 * await signAccessToken(secret, { subject: 'cust_42', role: 'customer' })
 * ```
 */
export function signAccessToken(secret: string, options: TokenOptions): Promise<string> {
  const now = Math.floor(Date.now() / 1000)
  return sign({ sub: options.subject, role: options.role, iat: now, exp: now + (options.expiresIn ?? 86_400) }, secret, 'HS256')
}

export interface AuthenticateOptions {
  secret: string
  /** Roles allowed through; any authenticated caller when omitted. */
  roles?: readonly Role[]
}

/**
 * Requires `Authorization: Bearer <JWT>` (HS256, unexpired, with `sub` and a
 * known `role`) and puts the caller on `c.var.principal`.
 */
export function authenticate(options: AuthenticateOptions): MiddlewareHandler<{ Variables: { principal: Principal } }> {
  return async function authenticateRequest(c, next) {
    const header = c.req.header('Authorization') ?? ''
    const match = /^Bearer ([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)$/.exec(header)
    if (!match?.[1]) throw new ApiProblem('unauthenticated', 'Send Authorization: Bearer <token>')
    let claims: Record<string, unknown>
    try {
      claims = await verify(match[1], options.secret, 'HS256')
    } catch {
      throw new ApiProblem('unauthenticated', 'The bearer token is invalid or expired')
    }
    const { sub, role, exp } = claims
    if (typeof sub !== 'string' || sub.length === 0 || (role !== 'customer' && role !== 'admin') || typeof exp !== 'number') {
      throw new ApiProblem('unauthenticated', 'The bearer token needs sub, role (customer or admin) and exp claims')
    }
    if (options.roles && !options.roles.includes(role)) {
      throw new ApiProblem('forbidden', `This action needs the ${options.roles.join(' or ')} role`)
    }
    c.set('principal', { subject: sub, role })
    await next()
  }
}
