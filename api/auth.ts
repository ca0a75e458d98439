import type { MiddlewareHandler } from 'hono'
import type { AccessTokenVerifier, Role } from './access-tokens.js'
import type { AppEnv } from './app-deps.js'
import { ApiProblem } from './problem.js'

export { signAccessToken, type Principal, type Role, type TokenOptions } from './access-tokens.js'

export interface AuthenticateOptions {
  /** Roles allowed through; any authenticated caller when omitted. */
  roles?: readonly Role[]
  /** The verifier to use; `createApp` provides one on `c.var.accessTokens`, built from the config. */
  tokens?: AccessTokenVerifier
}

/**
 * Requires `Authorization: Bearer <JWT>` and puts the caller on `c.var.principal`.
 *
 * @example
 * ```ts
 * createRoute({ ..., middleware: [authenticate({ roles: ['admin'] })] as const, ...adminOnly })
 * ```
 *
 * The token is checked by the app's {@link AccessTokenVerifier} (issuer,
 * audience, `exp`, pinned algorithm, or the JWKS). A missing or bad token is
 * 401; a valid token without one of `roles` is 403. An admin route must
 * also spread {@link adminOnly} into its route config, so the OpenAPI
 * document (and the test that reads it) knows it is one.
 */
export function authenticate(options: AuthenticateOptions = {}): MiddlewareHandler<AppEnv> {
  return async function authenticateRequest(c, next) {
    const match = /^Bearer +(\S+)$/i.exec(c.req.header('Authorization') ?? '')
    if (!match?.[1]) throw new ApiProblem('unauthenticated', 'Send Authorization: Bearer <token>')
    const tokens = options.tokens ?? (c.get('accessTokens') as AccessTokenVerifier | undefined)
    if (!tokens) throw new Error('authenticate() needs the token verifier that createApp() provides')
    const principal = await tokens.verify(match[1])
    if (options.roles && !options.roles.includes(principal.role)) {
      throw new ApiProblem('forbidden', `This action needs the ${options.roles.join(' or ')} role`)
    }
    c.set('principal', principal)
    await next()
  }
}

/** The OpenAPI extension that names the role an operation requires. */
export const REQUIRED_ROLE_EXTENSION = 'x-required-role'

/**
 * Declares an operation admin-only in the OpenAPI document: the bearer
 * scheme with the `admin` role (OpenAPI 3.1 lets non-OAuth schemes list
 * roles) and `x-required-role: admin`. Spread it into `createRoute()` next
 * to `middleware: [authenticate({ roles: ['admin'] })]`;
 * `tests/admin-routes-refuse-customers.test.ts` finds every route declared
 * so and proves a customer token gets 403 from each.
 */
export const adminOnly: { security: Array<Record<string, string[]>>; [REQUIRED_ROLE_EXTENSION]: 'admin' } = {
  security: [{ bearerAuth: ['admin'] }],
  [REQUIRED_ROLE_EXTENSION]: 'admin',
}
