/**
 * Where a webhook may be sent: the rules of a safe outbound call, written
 * once for the API (at registration) and the worker (at each delivery,
 * after DNS resolution).
 */
import { lookup } from 'node:dns/promises'
import { BlockList, isIP } from 'node:net'

/** How strict the rules are: production allows only https, and only public addresses unless told otherwise. */
export interface WebhookTargetRules {
  /** Only `https:` URLs (NODE_ENV=production); `http:` is allowed too otherwise. */
  httpsOnly: boolean
  /** Loopback, link-local and private addresses too (WEBHOOK_ALLOW_PRIVATE_TARGETS: tests and `npm start`). */
  allowPrivateTargets: boolean
}

/**
 * Addresses a webhook never reaches without `allowPrivateTargets`: this host,
 * the local networks, link-local (cloud metadata at 169.254.169.254 among
 * them), carrier-grade NAT, multicast, and the reserved and documentation ranges.
 */
const privateRanges = new BlockList()
for (const [network, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  privateRanges.addSubnet(network, prefix, 'ipv4')
}
for (const [network, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['64:ff9b::', 96],
  ['100::', 64],
  ['2001:db8::', 32],
  ['fc00::', 7],
  ['fe80::', 10],
  ['fec0::', 10],
  ['ff00::', 8],
] as const) {
  privateRanges.addSubnet(network, prefix, 'ipv6')
}

/**
 * Whether `address` (an IP literal) is loopback, link-local, private or
 * otherwise not a public internet address. An IPv4-mapped IPv6 address
 * (`::ffff:127.0.0.1`) is judged as the IPv4 address it maps.
 */
export function isPrivateAddress(address: string): boolean {
  const bare = address.replace(/^\[|\]$/g, '')
  const family = isIP(bare)
  if (family === 4) return privateRanges.check(bare, 'ipv4')
  if (family === 6) {
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(bare)
    if (mapped?.[1]) return privateRanges.check(mapped[1], 'ipv4')
    return privateRanges.check(bare, 'ipv6')
  }
  return true
}

/** Why a webhook URL is refused, as a reason to show after the field's name; null when it may be registered. */
export function webhookUrlRefusal(text: string, rules: WebhookTargetRules): string | null {
  let url: URL
  try {
    url = new URL(text)
  } catch {
    return 'is not a URL'
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'must be an http or https URL'
  if (rules.httpsOnly && url.protocol !== 'https:') return 'must be an https URL'
  if (url.username || url.password) return 'must not carry a user name or password'
  if (url.hash) return 'must not have a #fragment'
  if (!rules.allowPrivateTargets) {
    const host = url.hostname.replace(/^\[|\]$/g, '')
    if (isIP(host) !== 0 && isPrivateAddress(host)) {
      return 'points at a loopback, link-local or private address, which webhooks may not reach'
    }
    if (host === 'localhost' || host.endsWith('.localhost')) return 'points at this host, which webhooks may not reach'
  }
  return null
}

/** A target the rules refused at delivery time (the name resolved to a private address). */
export class WebhookTargetRefused extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'WebhookTargetRefused'
  }
}

/**
 * Resolves `hostname` once and returns the address to connect to: the first
 * one the rules allow. Without `allowPrivateTargets`, a name with any private
 * address among its answers is refused, so a name that answers both never
 * reaches the private one by chance. The caller connects to the address
 * returned (not to the name again), so a DNS answer that changes between the
 * check and the connection (DNS rebinding) changes nothing.
 *
 * @throws WebhookTargetRefused
 */
export async function resolveWebhookTarget(
  hostname: string,
  rules: Pick<WebhookTargetRules, 'allowPrivateTargets'>,
): Promise<{ address: string; family: 4 | 6 }> {
  const host = hostname.replace(/^\[|\]$/g, '')
  const literal = isIP(host)
  const answers = literal !== 0 ? [{ address: host, family: literal }] : await lookup(host, { all: true, verbatim: true })
  if (answers.length === 0) throw new Error(`${hostname} has no address`)
  if (!rules.allowPrivateTargets) {
    const refused = answers.find((answer) => isPrivateAddress(answer.address))
    if (refused) {
      throw new WebhookTargetRefused(
        `${hostname} resolves to ${refused.address}, a loopback, link-local or private address (WEBHOOK_ALLOW_PRIVATE_TARGETS is off)`,
      )
    }
  }
  const chosen = answers[0]!
  return { address: chosen.address, family: chosen.family === 6 ? 6 : 4 }
}
