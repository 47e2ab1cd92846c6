import { OrderEvent, validateOrder } from '@app/contracts';
import { DlqHeader } from '@app/dlq';
import { E2eContext } from './e2e-context';
import { readAll, ReadRecord } from './kafka-helpers';
import { expectedRow } from './orders';

export interface DeliveryReport {
  scenario: string;
  /** Records in the orders topic. */
  produced: number;
  stored: number;
  deadLettered: Record<string, number>;
  /** Valid orders PostgreSQL refused (a constraint the contract does not know), dead-lettered with their SQLSTATE. */
  refusedByDatabase: number;
  /** Records dead-lettered twice, or both stored and dead-lettered. Must be 0. */
  duplicates: number;
  /** Every broken rule, in words. Must be empty. */
  problems: string[];
}

interface StoredRow {
  order_id: string;
  customer_id: string;
  items: unknown;
  total_amount: string;
  status: string;
  created_at: Date;
  processed_at: Date;
}

const where = (r: { partition: number; offset: string }) => `${r.partition}/${r.offset}`;

/** The order a record carries if the consumer must store it: a valid value, keyed by its customer. */
function asOrder(record: ReadRecord): OrderEvent | undefined {
  try {
    const value: unknown = JSON.parse(record.value?.toString('utf8') ?? '');
    const valid = validateOrder(value).valid && (value as OrderEvent).customer_id === record.key;
    return valid ? (value as OrderEvent) : undefined;
  } catch {
    return undefined;
  }
}

function sameContent(row: StoredRow, order: OrderEvent): boolean {
  const { processed_at: _processed, ...stored } = row;
  return isEqual(stored, expectedRow(order));
}

/** Jest's deep equality (jsonb does not keep key order, so a string comparison would not do). */
function isEqual(a: unknown, b: unknown): boolean {
  try {
    expect(a).toEqual(b);
    return true;
  } catch {
    return false;
  }
}

/**
 * The one check every fault scenario ends with: each record of the orders topic is either stored
 * (a valid order, its row equal to the message) or in the DLQ, exactly once across both; no valid
 * order is dead-lettered except as a conflicting duplicate; and for every customer, the stored
 * rows were written in the order of their created_at.
 */
export async function checkDelivery(ctx: E2eContext, scenario: string): Promise<DeliveryReport> {
  const records = await readAll(ctx.kafka, ctx.topics.orders);
  const dlq = await readAll(ctx.kafka, ctx.topics.dlq);
  const { rows } = await ctx.db.query<StoredRow>(
    `SELECT order_id, customer_id, items, total_amount::text AS total_amount, status, created_at, processed_at
       FROM orders ORDER BY processed_at, order_id`,
  );
  const problems: string[] = [];
  const rowsById = new Map(rows.map((row) => [row.order_id, row]));
  const dlqBySource = new Map<string, ReadRecord[]>();
  const deadLettered: Record<string, number> = {};
  for (const letter of dlq) {
    const source = `${letter.headers[DlqHeader.OriginalPartition]}/${letter.headers[DlqHeader.OriginalOffset]}`;
    dlqBySource.set(source, [...(dlqBySource.get(source) ?? []), letter]);
    const reason = letter.headers[DlqHeader.Reason] ?? 'missing-reason';
    deadLettered[reason] = (deadLettered[reason] ?? 0) + 1;
  }
  let duplicates = 0;
  let refusedByDatabase = 0;
  const explained = new Set<string>();

  for (const record of records) {
    const order = asOrder(record);
    const letters = dlqBySource.get(where(record)) ?? [];
    if (letters.length > 1) {
      duplicates += letters.length - 1;
      problems.push(`record ${where(record)} is in the DLQ ${letters.length} times`);
    }
    if (!order) {
      if (letters.length === 0)
        problems.push(`bad record ${where(record)} is neither stored nor dead-lettered`);
      continue;
    }
    const row = rowsById.get(order.order_id);
    const refusal = letters[0]?.headers;
    if (
      !row &&
      refusal?.[DlqHeader.Reason] === 'invalid' &&
      /^2[23]/.test(refusal[DlqHeader.ErrorCode] ?? '')
    ) {
      refusedByDatabase += 1;
      continue;
    }
    if (!row) {
      problems.push(`valid order ${order.order_id} (${where(record)}) is not stored`);
      continue;
    }
    explained.add(order.order_id);
    if (sameContent(row, order)) {
      if (letters.length > 0) {
        duplicates += 1;
        problems.push(`order ${order.order_id} is stored and also dead-lettered`);
      }
    } else {
      const reason = letters[0]?.headers[DlqHeader.Reason];
      if (reason !== 'conflicting-duplicate') {
        problems.push(
          `order ${order.order_id} (${where(record)}) differs from its row and is not a dead-lettered conflict`,
        );
      }
    }
  }
  for (const row of rows) {
    if (!explained.has(row.order_id))
      problems.push(`row ${row.order_id} matches no valid record of the topic`);
  }
  // Written in created_at order per customer: rows are read back in processed_at order.
  const lastByCustomer = new Map<string, Date>();
  for (const row of rows) {
    const previous = lastByCustomer.get(row.customer_id);
    if (previous && row.created_at < previous) {
      problems.push(`customer ${row.customer_id}: ${row.order_id} was stored after a later order`);
    }
    lastByCustomer.set(row.customer_id, row.created_at);
  }

  const report = {
    scenario,
    produced: records.length,
    stored: rows.length,
    deadLettered,
    refusedByDatabase,
    duplicates,
    problems,
  };
  const reasons = Object.entries(deadLettered)
    .map(([reason, n]) => `${reason}=${n}`)
    .join(' ');
  process.stdout.write(
    `[${scenario}] produced=${report.produced} stored=${report.stored} dead-lettered=${dlq.length}` +
      `${reasons ? ` (${reasons})` : ''} duplicates=${duplicates} problems=${problems.length}\n`,
  );
  return report;
}
