/**
 * What each notification says, in each language the engine writes: a
 * subject and a few paragraphs per milestone, with amounts in the order's
 * currency as the reader's language writes them. Pure: the email adapter
 * renders these as text and HTML, the inbox shows the subject and the first
 * paragraph.
 */
import { type NotificationKind, notificationKinds } from './notifications.js'

/** The languages notifications are written in; English is the default. */
export const messageLanguages = ['en', 'fr', 'de'] as const
export type MessageLanguage = (typeof messageLanguages)[number]

/** What a notification needs to know about its order, read from the read model when it is sent. */
export interface NotificationFacts {
  kind: NotificationKind
  orderId: string
  currency: string
  /** The order's total, in minor units. */
  total: number
  paymentMethod: string
  trackingNumber: string | null
  carrier: string | null
  /** Why it was cancelled (`cancelled`). */
  cancellationReason: string | null
  /** What this refund gave back (`refunded`), in minor units. */
  refundedAmount: number | null
}

/** An outbox row as stored, with what its order's read-model row says (null when the order has no row). */
export interface StoredNotification {
  kind: string
  orderId: string
  data: Record<string, unknown>
  order: {
    currency: string
    total: number
    paymentMethod: string
    /** Refunded so far, in minor units. */
    refunded: number
    trackingNumber: string | null
    carrier: string | null
    cancellationReason: string | null
  } | null
}

/** Whether `kind` is a milestone the engine has words for. */
export function isNotificationKind(kind: string): kind is NotificationKind {
  return (notificationKinds as readonly string[]).includes(kind)
}

/**
 * The facts a message is written from: the outbox row's own data first (a
 * refund's amount, a cancellation's reason, a return label's tracking
 * number), the order's row for the rest.
 * Null for a kind without words or an order without a row.
 */
export function notificationFactsOf(notification: StoredNotification): NotificationFacts | null {
  const { order, data, kind } = notification
  if (!order || !isNotificationKind(kind)) return null
  return {
    kind,
    orderId: notification.orderId,
    currency: typeof data['currency'] === 'string' ? data['currency'] : order.currency,
    total: order.total,
    paymentMethod: order.paymentMethod,
    // A return label's or a replacement parcel's tracking number, else the order's parcel's.
    trackingNumber: typeof data['trackingNumber'] === 'string' ? data['trackingNumber'] : order.trackingNumber,
    carrier: typeof data['carrier'] === 'string' ? data['carrier'] : order.carrier,
    cancellationReason: typeof data['reason'] === 'string' ? data['reason'] : order.cancellationReason,
    refundedAmount: typeof data['amount'] === 'number' ? data['amount'] : kind === 'refunded' ? order.refunded : null,
  }
}

export interface NotificationMessage {
  language: MessageLanguage
  subject: string
  /** Plain sentences, first the one that says it all. */
  paragraphs: string[]
}

/**
 * The language to write in for a BCP 47 tag (`fr-CA` → `fr`); English when
 * the tag is unknown or none is given.
 */
export function messageLanguageOf(tag: string | null | undefined): MessageLanguage {
  const primary = (tag ?? '').toLowerCase().split(/[-_]/)[0] ?? ''
  return (messageLanguages as readonly string[]).includes(primary) ? (primary as MessageLanguage) : 'en'
}

/** The number of minor units in one unit of `currency` (USD 2, JPY 0, KWD 3), as ISO 4217 has it. */
export function currencyExponent(currency: string): number {
  return new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2
}

/**
 * An amount in integer minor units, written as `locale` writes money.
 *
 * @example
 * ```ts
 * formatMoney(2599, 'USD', 'en') // '$25.99'
 * formatMoney(2599, 'EUR', 'fr') // '25,99 €'
 * formatMoney(2599, 'JPY', 'en') // '¥2,599'
 * ```
 */
export function formatMoney(amountMinor: number, currency: string, locale: string): string {
  const exponent = currencyExponent(currency)
  return new Intl.NumberFormat(locale, { style: 'currency', currency }).format(amountMinor / 10 ** exponent)
}

/** The order's short reference in messages: the first 8 characters of its id, upper case. */
export function orderReference(orderId: string): string {
  return orderId.slice(0, 8).toUpperCase()
}

interface Words {
  ref: string
  total: string
  tracking: string | null
  refunded: string | null
  reason: string
  cod: boolean
}

type Templates = Record<NotificationKind, (w: Words) => { subject: string; paragraphs: string[] }>

const trackingLine = {
  en: (w: Words) => (w.tracking ? [`Tracking number: ${w.tracking}`] : []),
  fr: (w: Words) => (w.tracking ? [`Numéro de suivi : ${w.tracking}`] : []),
  de: (w: Words) => (w.tracking ? [`Sendungsnummer: ${w.tracking}`] : []),
}

const templates: Record<MessageLanguage, Templates> = {
  en: {
    placed: (w) => ({
      subject: `We received your order ${w.ref}`,
      paragraphs: [`Thank you! We received your order ${w.ref} of ${w.total}.`, 'We will write again when it is confirmed.'],
    }),
    confirmed: (w) => ({
      subject: `Your order ${w.ref} is confirmed`,
      paragraphs: [
        w.cod
          ? `Your order ${w.ref} is confirmed. Please have ${w.total} ready: you pay on delivery.`
          : `Your order ${w.ref} is confirmed and your payment of ${w.total} is authorized.`,
        'We are preparing your parcel.',
        ...trackingLine.en(w),
      ],
    }),
    shipped: (w) => ({
      subject: `Your order ${w.ref} has shipped`,
      paragraphs: [`Your order ${w.ref} is on its way.`, ...trackingLine.en(w)],
    }),
    delivered: (w) => ({
      subject: `Your order ${w.ref} was delivered`,
      paragraphs: [`Your order ${w.ref} was delivered. Enjoy!`],
    }),
    cancelled: (w) => ({
      subject: `Your order ${w.ref} was cancelled`,
      paragraphs: [`Your order ${w.ref} was cancelled (${w.reason}).`, 'Anything held or paid for it is released or refunded.'],
    }),
    refunded: (w) => ({
      subject: `A refund of ${w.refunded ?? w.total} for your order ${w.ref}`,
      paragraphs: [`We refunded ${w.refunded ?? w.total} for your order ${w.ref}. It may take a few days to appear.`],
    }),
    delivery_exception: (w) => ({
      subject: `A problem with the delivery of your order ${w.ref}`,
      paragraphs: [`The carrier reported a problem delivering your order ${w.ref}. We are on it.`, ...trackingLine.en(w)],
    }),
    returned: (w) => ({
      subject: `Your order ${w.ref} came back to us`,
      paragraphs: [`Your order ${w.ref} was returned to us by the carrier.`, ...trackingLine.en(w)],
    }),
    return_requested: (w) => ({
      subject: `We received your return request for order ${w.ref}`,
      paragraphs: [
        `We received your request to return items of your order ${w.ref}.`,
        'We will write again once we have looked at it.',
      ],
    }),
    return_approved: (w) => ({
      subject: `Your return for order ${w.ref} is approved`,
      paragraphs: [
        `Your return for order ${w.ref} is approved. Please hand the parcel to the carrier with the return label.`,
        ...trackingLine.en(w),
      ],
    }),
    return_rejected: (w) => ({
      subject: `Your return for order ${w.ref} was not accepted`,
      paragraphs: [`We could not accept your return for order ${w.ref}. Please reply to this mail if you have questions.`],
    }),
    return_received: (w) => ({
      subject: `Your return for order ${w.ref} arrived`,
      paragraphs: [`Your return for order ${w.ref} arrived at our warehouse.`],
    }),
    return_closed: (w) => ({
      subject: `Your return for order ${w.ref} was closed`,
      paragraphs: [`Your return for order ${w.ref} was closed: the parcel did not reach the carrier in time.`],
    }),
    exchange_shipped: (w) => ({
      subject: `The replacement for your order ${w.ref} has shipped`,
      paragraphs: [`The replacement items for your order ${w.ref} are on their way.`, ...trackingLine.en(w)],
    }),
    cod_refund_owed: (w) => ({
      subject: `We owe you ${w.refunded ?? w.total} for your order ${w.ref}`,
      paragraphs: [
        `We owe you ${w.refunded ?? w.total} for your order ${w.ref}, paid on delivery. We will send it by bank transfer.`,
      ],
    }),
    cod_refund_settled: (w) => ({
      subject: `We sent you ${w.refunded ?? w.total} for your order ${w.ref}`,
      paragraphs: [`We sent you ${w.refunded ?? w.total} by bank transfer for your order ${w.ref}.`],
    }),
    edited: (w) => ({
      subject: `Your order ${w.ref} was changed`,
      paragraphs: [`Your order ${w.ref} was changed as asked. Its total is now ${w.total}.`],
    }),
  },
  fr: {
    placed: (w) => ({
      subject: `Nous avons reçu votre commande ${w.ref}`,
      paragraphs: [
        `Merci ! Nous avons reçu votre commande ${w.ref} de ${w.total}.`,
        'Nous vous écrirons dès qu’elle sera confirmée.',
      ],
    }),
    confirmed: (w) => ({
      subject: `Votre commande ${w.ref} est confirmée`,
      paragraphs: [
        w.cod
          ? `Votre commande ${w.ref} est confirmée. Préparez ${w.total} : vous payez à la livraison.`
          : `Votre commande ${w.ref} est confirmée et votre paiement de ${w.total} est autorisé.`,
        'Nous préparons votre colis.',
        ...trackingLine.fr(w),
      ],
    }),
    shipped: (w) => ({
      subject: `Votre commande ${w.ref} est expédiée`,
      paragraphs: [`Votre commande ${w.ref} est en route.`, ...trackingLine.fr(w)],
    }),
    delivered: (w) => ({
      subject: `Votre commande ${w.ref} a été livrée`,
      paragraphs: [`Votre commande ${w.ref} a été livrée. Bonne découverte !`],
    }),
    cancelled: (w) => ({
      subject: `Votre commande ${w.ref} a été annulée`,
      paragraphs: [
        `Votre commande ${w.ref} a été annulée (${w.reason}).`,
        'Tout montant retenu ou payé est libéré ou remboursé.',
      ],
    }),
    refunded: (w) => ({
      subject: `Remboursement de ${w.refunded ?? w.total} pour votre commande ${w.ref}`,
      paragraphs: [`Nous avons remboursé ${w.refunded ?? w.total} pour votre commande ${w.ref}.`],
    }),
    delivery_exception: (w) => ({
      subject: `Un problème de livraison pour votre commande ${w.ref}`,
      paragraphs: [`Le transporteur signale un problème de livraison de votre commande ${w.ref}.`, ...trackingLine.fr(w)],
    }),
    returned: (w) => ({
      subject: `Votre commande ${w.ref} nous a été retournée`,
      paragraphs: [`Le transporteur nous a retourné votre commande ${w.ref}.`, ...trackingLine.fr(w)],
    }),
    return_requested: (w) => ({
      subject: `Nous avons reçu votre demande de retour pour la commande ${w.ref}`,
      paragraphs: [
        `Nous avons reçu votre demande de retour d’articles de votre commande ${w.ref}.`,
        'Nous vous écrirons après l’avoir examinée.',
      ],
    }),
    return_approved: (w) => ({
      subject: `Votre retour pour la commande ${w.ref} est accepté`,
      paragraphs: [
        `Votre retour pour la commande ${w.ref} est accepté. Remettez le colis au transporteur avec l’étiquette de retour.`,
        ...trackingLine.fr(w),
      ],
    }),
    return_rejected: (w) => ({
      subject: `Votre retour pour la commande ${w.ref} n’a pas été accepté`,
      paragraphs: [
        `Nous ne pouvons pas accepter votre retour pour la commande ${w.ref}. Répondez à ce mail pour toute question.`,
      ],
    }),
    return_received: (w) => ({
      subject: `Votre retour pour la commande ${w.ref} est arrivé`,
      paragraphs: [`Votre retour pour la commande ${w.ref} est arrivé à notre entrepôt.`],
    }),
    return_closed: (w) => ({
      subject: `Votre retour pour la commande ${w.ref} a été clos`,
      paragraphs: [`Votre retour pour la commande ${w.ref} a été clos : le colis n’a pas été remis au transporteur à temps.`],
    }),
    exchange_shipped: (w) => ({
      subject: `Le remplacement pour votre commande ${w.ref} est expédié`,
      paragraphs: [`Les articles de remplacement pour votre commande ${w.ref} sont en route.`, ...trackingLine.fr(w)],
    }),
    cod_refund_owed: (w) => ({
      subject: `Nous vous devons ${w.refunded ?? w.total} pour votre commande ${w.ref}`,
      paragraphs: [
        `Nous vous devons ${w.refunded ?? w.total} pour votre commande ${w.ref}, payée à la livraison. Nous vous l’enverrons par virement.`,
      ],
    }),
    cod_refund_settled: (w) => ({
      subject: `Nous vous avons envoyé ${w.refunded ?? w.total} pour votre commande ${w.ref}`,
      paragraphs: [`Nous vous avons envoyé ${w.refunded ?? w.total} par virement pour votre commande ${w.ref}.`],
    }),
    edited: (w) => ({
      subject: `Votre commande ${w.ref} a été modifiée`,
      paragraphs: [`Votre commande ${w.ref} a été modifiée comme demandé. Son total est maintenant de ${w.total}.`],
    }),
  },
  de: {
    placed: (w) => ({
      subject: `Wir haben Ihre Bestellung ${w.ref} erhalten`,
      paragraphs: [
        `Danke! Wir haben Ihre Bestellung ${w.ref} über ${w.total} erhalten.`,
        'Wir melden uns, sobald sie bestätigt ist.',
      ],
    }),
    confirmed: (w) => ({
      subject: `Ihre Bestellung ${w.ref} ist bestätigt`,
      paragraphs: [
        w.cod
          ? `Ihre Bestellung ${w.ref} ist bestätigt. Bitte halten Sie ${w.total} bereit: Sie zahlen bei Lieferung.`
          : `Ihre Bestellung ${w.ref} ist bestätigt, Ihre Zahlung über ${w.total} ist autorisiert.`,
        'Wir bereiten Ihr Paket vor.',
        ...trackingLine.de(w),
      ],
    }),
    shipped: (w) => ({
      subject: `Ihre Bestellung ${w.ref} wurde versandt`,
      paragraphs: [`Ihre Bestellung ${w.ref} ist unterwegs.`, ...trackingLine.de(w)],
    }),
    delivered: (w) => ({
      subject: `Ihre Bestellung ${w.ref} wurde zugestellt`,
      paragraphs: [`Ihre Bestellung ${w.ref} wurde zugestellt. Viel Freude damit!`],
    }),
    cancelled: (w) => ({
      subject: `Ihre Bestellung ${w.ref} wurde storniert`,
      paragraphs: [
        `Ihre Bestellung ${w.ref} wurde storniert (${w.reason}).`,
        'Reservierte oder gezahlte Beträge werden freigegeben oder erstattet.',
      ],
    }),
    refunded: (w) => ({
      subject: `Erstattung von ${w.refunded ?? w.total} für Ihre Bestellung ${w.ref}`,
      paragraphs: [`Wir haben ${w.refunded ?? w.total} für Ihre Bestellung ${w.ref} erstattet.`],
    }),
    delivery_exception: (w) => ({
      subject: `Ein Zustellproblem bei Ihrer Bestellung ${w.ref}`,
      paragraphs: [`Der Paketdienst meldet ein Problem bei der Zustellung Ihrer Bestellung ${w.ref}.`, ...trackingLine.de(w)],
    }),
    returned: (w) => ({
      subject: `Ihre Bestellung ${w.ref} kam zu uns zurück`,
      paragraphs: [`Der Paketdienst hat Ihre Bestellung ${w.ref} an uns zurückgeschickt.`, ...trackingLine.de(w)],
    }),
    return_requested: (w) => ({
      subject: `Wir haben Ihre Rücksendeanfrage zur Bestellung ${w.ref} erhalten`,
      paragraphs: [
        `Wir haben Ihre Anfrage erhalten, Artikel Ihrer Bestellung ${w.ref} zurückzusenden.`,
        'Wir melden uns, sobald wir sie geprüft haben.',
      ],
    }),
    return_approved: (w) => ({
      subject: `Ihre Rücksendung zur Bestellung ${w.ref} ist genehmigt`,
      paragraphs: [
        `Ihre Rücksendung zur Bestellung ${w.ref} ist genehmigt. Bitte geben Sie das Paket mit dem Rücksendeetikett beim Paketdienst ab.`,
        ...trackingLine.de(w),
      ],
    }),
    return_rejected: (w) => ({
      subject: `Ihre Rücksendung zur Bestellung ${w.ref} wurde nicht angenommen`,
      paragraphs: [
        `Wir können Ihre Rücksendung zur Bestellung ${w.ref} nicht annehmen. Antworten Sie auf diese Mail, wenn Sie Fragen haben.`,
      ],
    }),
    return_received: (w) => ({
      subject: `Ihre Rücksendung zur Bestellung ${w.ref} ist angekommen`,
      paragraphs: [`Ihre Rücksendung zur Bestellung ${w.ref} ist in unserem Lager angekommen.`],
    }),
    return_closed: (w) => ({
      subject: `Ihre Rücksendung zur Bestellung ${w.ref} wurde geschlossen`,
      paragraphs: [`Ihre Rücksendung zur Bestellung ${w.ref} wurde geschlossen: Das Paket wurde nicht rechtzeitig abgegeben.`],
    }),
    exchange_shipped: (w) => ({
      subject: `Der Ersatz für Ihre Bestellung ${w.ref} wurde versandt`,
      paragraphs: [`Die Ersatzartikel für Ihre Bestellung ${w.ref} sind unterwegs.`, ...trackingLine.de(w)],
    }),
    cod_refund_owed: (w) => ({
      subject: `Wir schulden Ihnen ${w.refunded ?? w.total} für Ihre Bestellung ${w.ref}`,
      paragraphs: [
        `Wir schulden Ihnen ${w.refunded ?? w.total} für Ihre per Nachnahme bezahlte Bestellung ${w.ref}. Wir überweisen den Betrag.`,
      ],
    }),
    cod_refund_settled: (w) => ({
      subject: `Wir haben Ihnen ${w.refunded ?? w.total} für Ihre Bestellung ${w.ref} überwiesen`,
      paragraphs: [`Wir haben Ihnen ${w.refunded ?? w.total} für Ihre Bestellung ${w.ref} überwiesen.`],
    }),
    edited: (w) => ({
      subject: `Ihre Bestellung ${w.ref} wurde geändert`,
      paragraphs: [`Ihre Bestellung ${w.ref} wurde wie gewünscht geändert. Der Gesamtbetrag ist jetzt ${w.total}.`],
    }),
  },
}

/** Cancellation reasons in words, per language; an unknown reason is shown as its code. */
const reasonWords: Record<MessageLanguage, Record<string, string>> = {
  en: {
    customer_request: 'at your request',
    admin_request: 'by the shop',
    operator_request: 'by the shop',
    payment_declined: 'the payment was declined',
    payment_not_completed: 'the payment was not completed',
    authorization_expired: 'the payment authorization expired',
    out_of_stock: 'an item is out of stock',
    price_changed: 'a price changed',
    cod_confirmation_expired: 'it was not confirmed in time',
    processing_failed: 'we could not process it',
  },
  fr: {
    customer_request: 'à votre demande',
    admin_request: 'par la boutique',
    operator_request: 'par la boutique',
    payment_declined: 'le paiement a été refusé',
    payment_not_completed: 'le paiement n’a pas été finalisé',
    authorization_expired: 'l’autorisation de paiement a expiré',
    out_of_stock: 'un article est en rupture de stock',
    price_changed: 'un prix a changé',
    cod_confirmation_expired: 'elle n’a pas été confirmée à temps',
    processing_failed: 'nous n’avons pas pu la traiter',
  },
  de: {
    customer_request: 'auf Ihren Wunsch',
    admin_request: 'durch den Shop',
    operator_request: 'durch den Shop',
    payment_declined: 'die Zahlung wurde abgelehnt',
    payment_not_completed: 'die Zahlung wurde nicht abgeschlossen',
    authorization_expired: 'die Zahlungsautorisierung ist abgelaufen',
    out_of_stock: 'ein Artikel ist nicht vorrätig',
    price_changed: 'ein Preis hat sich geändert',
    cod_confirmation_expired: 'sie wurde nicht rechtzeitig bestätigt',
    processing_failed: 'wir konnten sie nicht bearbeiten',
  },
}

/**
 * What a notification says, in the language of `languageTag` (English when
 * unknown), with amounts in the order's currency.
 *
 * @example
 * ```ts
 * notificationMessage({ kind: 'shipped', orderId, currency: 'USD', total: 2599, ..., trackingNumber: 'SIM123' }, 'fr-CA')
 * // { language: 'fr', subject: 'Votre commande 6F1C2A9B est expédiée', paragraphs: [..., 'Numéro de suivi : SIM123'] }
 * ```
 */
export function notificationMessage(facts: NotificationFacts, languageTag: string | null): NotificationMessage {
  const language = messageLanguageOf(languageTag)
  const money = (amount: number) => formatMoney(amount, facts.currency, language)
  const words: Words = {
    ref: orderReference(facts.orderId),
    total: money(facts.total),
    tracking: facts.trackingNumber,
    refunded: facts.refundedAmount === null ? null : money(facts.refundedAmount),
    reason: facts.cancellationReason ? (reasonWords[language][facts.cancellationReason] ?? facts.cancellationReason) : '—',
    cod: facts.paymentMethod === 'cod',
  }
  return { language, ...templates[language][facts.kind](words) }
}
