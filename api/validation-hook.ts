import type { Hook } from '@hono/zod-openapi'
import type { AppEnv } from './app-deps.js'
import { fieldErrors, problemResponse } from './problem.js'

const targets = { json: 'body', query: 'query', header: 'header', param: 'path' } as const

/** Turns every request-validation failure into the same 400 problem, naming each field and why. */
export const validationProblem: Hook<any, AppEnv, any, Response | undefined> = (result, c) => {
  if (result.success) return
  const where = targets[result.target as keyof typeof targets] ?? 'body'
  const errors = fieldErrors(where, result.error.issues)
  return problemResponse(c, 'invalid_request', errors.map((e) => `${e.field}: ${e.reason}`).join('; '), { errors })
}
