import { describe, expect, it } from 'vitest'
import { renderNotificationEmail } from '../../adapters/email/notification-email.js'
import { contactEmailOf, languageTagOf, preferredLanguageOf } from '../../api/contact-fields.js'
import { formatMoney, messageLanguageOf, notificationFactsOf, notificationMessage } from '../../domain/notification-messages.js'
import { orderEventOf } from '../../domain/notifications.js'

const orderId = '6f1c2a9b-0000-4000-8000-000000000001'
const facts = {
  orderId,
  currency: 'USD',
  total: 3_599,
  paymentMethod: 'card',
  trackingNumber: 'SIM-123',
  carrier: 'simcarrier',
  cancellationReason: null,
  refundedAmount: null,
}

describe('notification messages', () => {
  it('give an approved return its return label, and a COD refund owed its amount, in each language', () => {
    const order = {
      currency: 'EUR',
      total: 3_599,
      paymentMethod: 'cod',
      refunded: 0,
      trackingNumber: 'SIM-OUT',
      carrier: 'simcarrier',
      cancellationReason: null,
    }
    const approved = notificationFactsOf({ kind: 'return_approved', orderId, data: { trackingNumber: 'SIM-BACK' }, order })
    expect(approved?.trackingNumber).toBe('SIM-BACK')
    expect(notificationMessage(approved!, 'de').paragraphs).toContain('Sendungsnummer: SIM-BACK')
    const owed = notificationFactsOf({ kind: 'cod_refund_owed', orderId, data: { amount: 2_399, currency: 'EUR' }, order })
    expect(notificationMessage(owed!, 'fr').subject).toBe('Nous vous devons 23,99\u00a0€ pour votre commande 6F1C2A9B')
    expect(notificationMessage(owed!, 'en').subject).toBe('We owe you €23.99 for your order 6F1C2A9B')
  })

  it('write amounts from minor units in the currency’s own exponent, as the language writes money', () => {
    expect(formatMoney(3_599, 'USD', 'en')).toBe('$35.99')
    expect(formatMoney(3_599, 'JPY', 'en')).toBe('¥3,599')
    expect(formatMoney(3_599, 'KWD', 'en')).toBe('KWD\u00a03.599')
    expect(formatMoney(3_599, 'EUR', 'de')).toBe('35,99\u00a0€')
  })

  it('pick the customer’s language when the engine writes it, English otherwise', () => {
    expect([messageLanguageOf('fr-CA'), messageLanguageOf('de'), messageLanguageOf('pt-BR'), messageLanguageOf(null)]).toEqual([
      'fr',
      'de',
      'en',
      'en',
    ])
    expect(preferredLanguageOf('en;q=0.5, fr-CH, fr;q=0.9')).toBe('fr-CH')
    expect(preferredLanguageOf('*')).toBeNull()
    expect(languageTagOf('zh-Hant-TW')).toBe('zh-Hant-TW')
    expect(languageTagOf('<script>')).toBeNull()
  })

  it('say the tracking number, the refund and the reason, escaped in HTML', () => {
    const shipped = notificationMessage({ ...facts, kind: 'shipped' }, 'en')
    expect(shipped.subject).toBe('Your order 6F1C2A9B has shipped')
    expect(shipped.paragraphs).toContain('Tracking number: SIM-123')
    const refund = notificationMessage({ ...facts, kind: 'refunded', refundedAmount: 550 }, 'de')
    expect(refund.subject).toBe('Erstattung von 5,50\u00a0$ für Ihre Bestellung 6F1C2A9B')
    const cancelled = notificationMessage({ ...facts, kind: 'cancelled', cancellationReason: 'out_of_stock' }, 'fr')
    expect(cancelled.paragraphs[0]).toBe('Votre commande 6F1C2A9B a été annulée (un article est en rupture de stock).')
    const html = renderNotificationEmail({ ...shipped, paragraphs: ['<b>&</b>'] }, { shopName: 'A & B' }).html
    expect(html).toContain('<p>&lt;b&gt;&amp;&lt;/b&gt;</p>')
    expect(html).toContain('— A &amp; B')
  })

  it('accept one plain address as a contact, nothing else', () => {
    expect(contactEmailOf(' ada@example.com ')).toBe('ada@example.com')
    for (const bad of ['ada', 'ada@localhost', 'Ada <ada@example.com>', 'a@b.com, c@d.com', 'ada@exa\u0000mple.com', 42]) {
      expect(contactEmailOf(bad)).toBeNull()
    }
  })

  it('give every notification a stable order event for other systems', () => {
    const createdAt = new Date('2026-12-01T10:00:00Z')
    expect(orderEventOf({ orderId, kind: 'refunded', occurrence: 2, createdAt, data: { amount: 550 } })).toEqual({
      eventId: `evt_${orderId}_refunded_2`,
      type: 'order.refunded',
      orderId,
      occurredAt: '2026-12-01T10:00:00.000Z',
      data: { amount: 550, occurrence: 2 },
    })
  })
})
