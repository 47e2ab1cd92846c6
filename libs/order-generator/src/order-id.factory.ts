import { randomBytes } from 'node:crypto';

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ'; // Crockford base32: no I, L, O, U

/**
 * Order ids stay readable (ORD-YYYYMMDD-…) and unique across restarts and across several producer
 * instances: each factory draws a random 40-bit instance tag, then counts. A counter alone would
 * restart at 1 and the consumer would take the new orders for redeliveries of old ones.
 */
export class OrderIdFactory {
  private sequence = 0;

  constructor(readonly instanceTag: string = randomTag()) {}

  next(now: Date): string {
    this.sequence += 1;
    const day = now.toISOString().slice(0, 10).replaceAll('-', '');
    return `ORD-${day}-${this.instanceTag}-${String(this.sequence).padStart(6, '0')}`;
  }
}

function randomTag(): string {
  return [...randomBytes(8)].map((byte) => ALPHABET[byte % 32]).join('');
}
