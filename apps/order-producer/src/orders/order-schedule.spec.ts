import { ProducerConfig, producerConfig } from '@app/config';
import { OrderEvent } from '@app/contracts';
import { ScheduleModule, SchedulerRegistry } from '@nestjs/schedule';
import { Test } from '@nestjs/testing';
import { getLoggerToken, PinoLogger } from 'nestjs-pino';
import { Subject } from 'rxjs';
import { OrderGenerator } from '@app/order-generator';
import { OrderPublisher } from './order-publisher';
import { EXIT_REJECTED, EXIT_UNDELIVERED, OrderSchedule } from './order-schedule';
import { SHUTDOWN_GRACE_MS, TICK_MS } from './orders.constants';

const logger = { info: jest.fn(), warn: jest.fn(), error: jest.fn() } as unknown as PinoLogger;

/** The schedule in a Nest module with the real scheduler (its @Interval timers), a fake publisher and logger. */
async function schedule(config: Partial<ProducerConfig>) {
  const sent: OrderEvent[] = [];
  const publisher = {
    counters: { sent: 0, sends: 0, rejected: 0, failedAttempts: 0 },
    giveUp: jest.fn(),
    hasRoom: jest.fn(() => true),
    room: new Subject<void>(),
    idle: jest.fn(() => Promise.resolve()),
    enqueue: jest.fn((order: OrderEvent) => {
      sent.push(order);
      publisher.counters.sent += 1;
    }),
  };
  const producer: ProducerConfig = {
    ratePerSecond: 200,
    maxOrders: 0,
    durationSeconds: 0,
    seed: 42,
    ...config,
  };
  const app = await Test.createTestingModule({
    imports: [ScheduleModule.forRoot()],
    providers: [
      OrderSchedule,
      { provide: OrderGenerator, useValue: new OrderGenerator(42) },
      { provide: OrderPublisher, useValue: publisher },
      { provide: producerConfig.KEY, useValue: producer },
      { provide: getLoggerToken(OrderSchedule.name), useValue: logger },
    ],
  }).compile();
  const service = app.get(OrderSchedule);
  return { app, service, sent, registry: app.get(SchedulerRegistry), publisher };
}

describe(OrderSchedule.name, () => {
  it('stops after PRODUCER_MAX_ORDERS, with every order acknowledged', async () => {
    const { app, service, sent, registry } = await schedule({ maxOrders: 30 });
    await app.init();
    await service.finished;
    expect(sent).toHaveLength(30);
    expect(new Set(sent.map((o) => o.order_id)).size).toBe(30);
    // Both of its @Interval timers are gone once the run is complete.
    expect(registry.getIntervals()).toEqual([]);
    await app.close();
  });

  it('stops after PRODUCER_DURATION_S at about the configured rate', async () => {
    const { app, service, sent } = await schedule({ ratePerSecond: 50, durationSeconds: 1 });
    await app.init();
    await service.finished;
    expect(sent.length).toBeGreaterThan(25);
    expect(sent.length).toBeLessThanOrEqual(51);
    await app.close();
  });

  it('stops on shutdown and resolves its completion', async () => {
    const { app, service } = await schedule({});
    await app.init();
    await app.close();
    await expect(service.finished).resolves.toBeUndefined();
  });

  it('makes no orders while the publisher’s backlog is full, and catches up at most one second’s worth after', async () => {
    const { app, sent, publisher } = await schedule({ ratePerSecond: 100 });
    jest.useFakeTimers();
    try {
      await app.init();
      publisher.hasRoom.mockReturnValue(false);
      jest.advanceTimersByTime(5_000);
      expect(sent).toHaveLength(0);
      publisher.hasRoom.mockReturnValue(true);
      jest.advanceTimersByTime(TICK_MS);
      expect(sent).toHaveLength(100);
    } finally {
      jest.useRealTimers();
      await app.close();
    }
  });

  it('on shutdown during a broker outage, abandons the backlog after the grace period and exits saying so', async () => {
    const { app, publisher } = await schedule({});
    jest.useFakeTimers();
    let abandon!: () => void;
    publisher.enqueue.mockImplementation(() => undefined); // the broker never acknowledges
    publisher.idle.mockImplementation(() => new Promise<void>((done) => (abandon = done)));
    publisher.giveUp.mockImplementation(() => abandon());
    try {
      await app.init();
      jest.advanceTimersByTime(TICK_MS); // the first orders are queued, and the broker never answers
      const shutdown = app.close();
      await jest.advanceTimersByTimeAsync(SHUTDOWN_GRACE_MS);
      await shutdown;
      expect(publisher.giveUp).toHaveBeenCalled();
      expect(process.exitCode).toBe(EXIT_UNDELIVERED);
      expect(logger.error).toHaveBeenCalledWith(
        expect.objectContaining({ sent: 0, undelivered: expect.any(Number) }),
        'producer stopped with orders it could not deliver',
      );
    } finally {
      process.exitCode = undefined;
      jest.useRealTimers();
    }
  });

  it('exits 65 when the topic refused orders as too large, after delivering the rest', async () => {
    const { app, service, publisher } = await schedule({ maxOrders: 10 });
    publisher.enqueue.mockImplementation(() => {
      if (publisher.counters.sent + publisher.counters.rejected === 3) publisher.counters.rejected += 1;
      else publisher.counters.sent += 1;
    });
    try {
      await app.init();
      await service.finished;
      await app.close();
      expect(process.exitCode).toBe(EXIT_REJECTED);
      expect(logger.info).toHaveBeenCalledWith(
        expect.objectContaining({ sent: 9, rejected: 1 }),
        'producer finished',
      );
    } finally {
      process.exitCode = undefined;
    }
  });
});
