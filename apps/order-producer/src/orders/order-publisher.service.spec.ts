import { KafkaConfig } from '@app/config';
import { anOrder } from '@app/contracts/testing/order.factory';
import { ClientKafka } from '@nestjs/microservices';
import { PinoLogger } from 'nestjs-pino';
import { of, Subject, throwError } from 'rxjs';
import { Registry } from 'prom-client';
import { OrderPublisher } from './order-publisher.service';
import { ProducerMetrics } from './producer.metrics';

const kafka = { topics: { orders: 'food-orders', dlq: 'food-orders.dlq' } } as KafkaConfig;
const logger = { info: jest.fn(), warn: jest.fn() } as unknown as PinoLogger;

function fakeClient() {
  const status = new Subject<string>();
  const client = {
    status,
    connect: jest.fn().mockResolvedValue(undefined),
    emitBatch: jest.fn(() => of([])),
  };
  return { client, status, asClient: client as unknown as ClientKafka };
}

describe(OrderPublisher.name, () => {
  it('sends each order keyed by customer, with correlation and version headers, and counts it once acknowledged', async () => {
    const { client, asClient } = fakeClient();
    const publisher = new OrderPublisher(asClient, kafka, logger, new ProducerMetrics(new Registry()));
    await publisher.onModuleInit();
    const order = anOrder();

    await expect(publisher.publish([order])).resolves.toBe(true);

    expect(client.emitBatch).toHaveBeenCalledWith('food-orders', {
      messages: [
        {
          key: 'CUST-00042',
          value: JSON.stringify(order),
          headers: { 'x-correlation-id': order.order_id, 'x-event-version': '1' },
        },
      ],
    });
    expect(publisher.counters).toEqual({ sent: 1, failedAttempts: 0 });
    expect(publisher.state()).toEqual({ ready: true });
  });

  it('re-sends a failed batch with backoff until the broker acknowledges it', async () => {
    const { client, asClient } = fakeClient();
    client.emitBatch
      .mockReturnValueOnce(throwError(() => new Error('leader not available')))
      .mockReturnValueOnce(of([]));
    const publisher = new OrderPublisher(asClient, kafka, logger, new ProducerMetrics(new Registry()));
    await publisher.onModuleInit();

    await expect(publisher.publish([anOrder()])).resolves.toBe(true);
    expect(client.emitBatch).toHaveBeenCalledTimes(2);
    expect(publisher.counters).toEqual({ sent: 1, failedAttempts: 1 });
  });

  it('is not ready while disconnected or after a failed send, and stops retrying when told to give up', async () => {
    const { client, status, asClient } = fakeClient();
    client.emitBatch.mockReturnValue(throwError(() => new Error('broker down')));
    const publisher = new OrderPublisher(asClient, kafka, logger, new ProducerMetrics(new Registry()));
    await publisher.onModuleInit();
    status.next('disconnected');
    expect(publisher.state()).toEqual({ ready: false, reason: 'Kafka producer is not connected' });
    status.next('connected');

    const sending = publisher.publish([anOrder()]);
    publisher.giveUp();
    await expect(sending).resolves.toBe(false);
    expect(publisher.state()).toEqual({ ready: false, reason: 'last send failed: broker down' });
    publisher.onModuleDestroy();
  });

  it('abandons a send that hangs in the client when told to give up, without counting it as sent or failed', async () => {
    const { client, asClient } = fakeClient();
    client.emitBatch.mockReturnValue(new Subject<never>()); // the broker never answers
    const publisher = new OrderPublisher(asClient, kafka, logger, new ProducerMetrics(new Registry()));
    await publisher.onModuleInit();

    const sending = publisher.publish([anOrder()]);
    publisher.giveUp();

    await expect(sending).resolves.toBe(false);
    expect(publisher.counters).toEqual({ sent: 0, failedAttempts: 0 });
    publisher.onModuleDestroy();
  });
});
