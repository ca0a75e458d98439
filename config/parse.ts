/**
 * How each kind of setting is read from its text: durations, sizes, rates, flags, origins and algorithm lists.
 * The `parse*` functions return `null` for text they cannot read; the zod schemas turn that into a problem that
 * names the value and shows a good one.
 */
import { z } from 'zod'

const durationUnits = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const

/**
 * Parses `500ms`, `30s`, `15m`, `48h` or `2d` into milliseconds.
 * Returns `null` for anything else.
 */
export function parseDuration(text: string): number | null {
  const match = /^(\d+)(ms|s|m|h|d)$/.exec(text.trim())
  if (!match) return null
  return Number(match[1]) * durationUnits[match[2] as keyof typeof durationUnits]
}

/** A positive duration such as `30s`, `15m` or `48h`, in milliseconds. */
export const duration = z.string().transform((text, ctx) => {
  const ms = parseDuration(text)
  if (ms === null || ms <= 0) {
    ctx.addIssue({ code: 'custom', message: `"${text}" is not a duration like 30s, 15m or 48h` })
    return z.NEVER
  }
  return ms
})

/** A whole number of seconds up to 5 minutes, written as a duration (`0s`, `5s`), in seconds. */
export const secondsUpTo5Minutes = z.string().transform((text, ctx) => {
  const ms = parseDuration(text)
  if (ms === null || ms % 1_000 !== 0 || ms > 300_000) {
    ctx.addIssue({ code: 'custom', message: `"${text}" is not a whole number of seconds up to 5m, like 0s or 5s` })
    return z.NEVER
  }
  return ms / 1_000
})

/** `true`, `false`, `1` or `0`. */
export const flag = z.enum(['true', 'false', '1', '0']).transform((value) => value === 'true' || value === '1')

const sizeUnits = { b: 1, kib: 1_024, kb: 1_024, mib: 1_048_576, mb: 1_048_576 } as const

/**
 * Parses a size in bytes: `65536`, `64KiB` or `1MiB` (`kb`/`mb` are read as
 * KiB/MiB, case-insensitive). Returns `null` for anything else.
 */
export function parseSize(text: string): number | null {
  const match = /^(\d+)\s*(b|kib|kb|mib|mb)?$/i.exec(text.trim())
  if (!match) return null
  return Number(match[1]) * sizeUnits[(match[2]?.toLowerCase() ?? 'b') as keyof typeof sizeUnits]
}

/** A positive size such as `65536`, `64KiB` or `1MiB`, in bytes. */
export const size = z.string().transform((text, ctx) => {
  const bytes = parseSize(text)
  if (bytes === null || bytes <= 0) {
    ctx.addIssue({ code: 'custom', message: `"${text}" is not a size like 65536, 64KiB or 1MiB` })
    return z.NEVER
  }
  return bytes
})

/** A request budget: at most `limit` requests per window. */
export interface RateLimitSetting {
  limit: number
  windowMs: number
}

/**
 * Parses `20/1m` (20 requests a minute) or `5/10s` into a {@link RateLimitSetting}.
 * Returns `null` for anything else.
 */
export function parseRateLimit(text: string): RateLimitSetting | null {
  const match = /^(\d+)\s*\/\s*(\S+)$/.exec(text.trim())
  const windowMs = match?.[2] ? parseDuration(match[2]) : null
  const limit = Number(match?.[1])
  if (!match || windowMs === null || windowMs <= 0 || !Number.isSafeInteger(limit) || limit < 1) return null
  return { limit, windowMs }
}

/** A rate such as `20/1m`. */
export const rateLimit = z.string().transform((text, ctx) => {
  const setting = parseRateLimit(text)
  if (!setting) {
    ctx.addIssue({ code: 'custom', message: `"${text}" is not a rate like 20/1m (requests per window)` })
    return z.NEVER
  }
  return setting
})

/** Signing algorithms a JWKS-verified token may use; `none` and HMAC are never among them. */
export const jwksAlgorithmChoices = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'EdDSA'] as const
export type JwksAlgorithm = (typeof jwksAlgorithmChoices)[number]

/** `RS256,ES256`: algorithms among {@link jwksAlgorithmChoices}, at least one. */
export const jwksAlgorithmList = z.string().transform((text, ctx) => {
  const names = text
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean)
  const unknown = names.filter((name) => !(jwksAlgorithmChoices as readonly string[]).includes(name))
  if (names.length === 0 || unknown.length > 0) {
    ctx.addIssue({ code: 'custom', message: `must list algorithms among ${jwksAlgorithmChoices.join(', ')}` })
    return z.NEVER
  }
  return names as JwksAlgorithm[]
})

/** `https://shop.example,http://localhost:5173`: exact origins, never `*`. */
export const originList = z.string().transform((text, ctx) => {
  const origins: string[] = []
  for (const entry of text
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean)) {
    let origin: string | null = null
    try {
      const url = new URL(entry)
      if ((url.protocol === 'https:' || url.protocol === 'http:') && url.origin === entry.replace(/\/$/, '')) origin = url.origin
    } catch {
      origin = null
    }
    if (!origin) {
      ctx.addIssue({
        code: 'custom',
        message: `"${entry}" is not an origin like https://shop.example (scheme, host and port only; "*" is never allowed)`,
      })
      continue
    }
    origins.push(origin)
  }
  return origins
})

/** An AES-256 key and the id payloads name it by (the shape of `PayloadKey` in temporal/payload-encryption.ts). */
export interface PayloadKeySetting {
  id: string
  key: Uint8Array
}

/**
 * `2026-11:<base64 of 32 bytes>,2026-12:<base64 of 32 bytes>`: the keys Temporal payloads are sealed with, oldest
 * first; the last seals new payloads, the others only open old ones. Ids are 1 to 64 letters, digits, `.`, `_`, `-`.
 */
export const payloadKeyList = z.string().transform((text, ctx) => {
  const keys: PayloadKeySetting[] = []
  const entries = text
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean)
  for (const [index, entry] of entries.entries()) {
    const match = /^([A-Za-z0-9._-]{1,64}):([A-Za-z0-9+/_-]+={0,2})$/.exec(entry)
    const key = match?.[2]
      ? Buffer.from(match[2], match[2].includes('-') || match[2].includes('_') ? 'base64url' : 'base64')
      : null
    if (!match?.[1] || !key || key.length !== 32) {
      // Never echo the entry: it is a secret.
      ctx.addIssue({
        code: 'custom',
        message: `entry ${index + 1} is not <id>:<base64 of 32 random bytes> (make one with: openssl rand -base64 32)`,
      })
      continue
    }
    if (keys.some((known) => known.id === match[1])) {
      ctx.addIssue({ code: 'custom', message: `key id ${match[1]} is listed twice` })
      continue
    }
    keys.push({ id: match[1], key })
  }
  if (entries.length === 0) ctx.addIssue({ code: 'custom', message: 'lists no key' })
  return keys
})
