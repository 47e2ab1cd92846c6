import { centsToDecimal, lineCents, OrderEvent, OrderItemEvent } from '@app/contracts';
import type { Faker } from '@faker-js/faker';
import { faker as englishFaker } from '@faker-js/faker/locale/en';
import { OrderIdFactory } from './order-id.factory';

export interface Customer {
  customer_id: string;
  customer_name: string;
  customer_email: string;
}

export interface MenuItem {
  item_id: string;
  name: string;
  price: number;
}

// The package's index loads all of faker's locales (~30 MB of memory); the English entry point carries
// the same class, so each generator gets its own seeded instance without them.
const FakerClass = englishFaker.constructor as new (options: {
  locale: Faker['rawDefinitions'];
  seed: number;
}) => Faker;

export const CUSTOMER_COUNT = 100;
export const MENU_SIZE = 20;

/**
 * Seeded, realistic orders: the same MOCK_SEED yields the same customers, menu and sequence of
 * baskets, so a run can be reproduced. Only order ids and timestamps differ between runs.
 */
export class OrderGenerator {
  readonly customers: Customer[];
  readonly menu: MenuItem[];
  private readonly faker: Faker;

  constructor(
    seed: number,
    private readonly ids = new OrderIdFactory(),
  ) {
    this.faker = new FakerClass({ locale: englishFaker.rawDefinitions, seed });
    this.customers = Array.from({ length: CUSTOMER_COUNT }, (_, i) => this.customer(i + 1));
    this.menu = this.menuItems();
  }

  next(now = new Date()): OrderEvent {
    const customer = this.faker.helpers.arrayElement(this.customers);
    const picks = this.faker.helpers.arrayElements(this.menu, { min: 1, max: 5 });
    const items: OrderItemEvent[] = picks.map((item) => {
      const quantity = this.faker.number.int({ min: 1, max: 5 });
      return { ...item, quantity, subtotal: Number(centsToDecimal(lineCents(quantity, item.price))) };
    });
    const totalCents = items.reduce((sum, item) => sum + lineCents(item.quantity, item.price), 0);
    return {
      order_id: this.ids.next(now),
      ...customer,
      items,
      total_amount: Number(centsToDecimal(totalCents)),
      status: 'pending',
      created_at: now.toISOString(),
    };
  }

  private customer(n: number): Customer {
    const firstName = this.faker.person.firstName();
    const lastName = this.faker.person.lastName();
    return {
      customer_id: `CUST-${String(n).padStart(5, '0')}`,
      customer_name: `${firstName} ${lastName}`,
      customer_email: this.faker.internet.email({ firstName, lastName }).toLowerCase(),
    };
  }

  private menuItems(): MenuItem[] {
    const names = new Set<string>();
    while (names.size < MENU_SIZE) names.add(this.faker.food.dish());
    return [...names].map((name, i) => ({
      item_id: `ITEM-${String(i + 1).padStart(3, '0')}`,
      name,
      price: this.faker.number.float({ min: 2, max: 15, fractionDigits: 2 }),
    }));
  }
}
