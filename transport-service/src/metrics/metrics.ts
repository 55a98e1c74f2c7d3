import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import { RECEIPT_STATES, type Reason, type ReceiptState } from '@notification-transport/contract';

/** Live figures the gauges read at scrape time, so the hot paths never touch a gauge. */
export interface MetricsSources {
  connections: () => number;
  streams: () => number;
  users: () => number;
  /** Receipt queries waiting on this instance. */
  receiptWaiters?: () => number;
}

/**
 * A counter bumped once or more per notification: a plain number (prom-client's `inc()` allocates its label objects on
 * every call), handed to Prometheus when it scrapes.
 */
export class HotCounter {
  private count = 0;

  inc(): void {
    this.count += 1;
  }

  get value(): number {
    return this.count;
  }
}

/** {@link HotCounter}s by label value, for a label with a fixed set of values (every value shows, from 0). */
export class HotCounters<V extends string> {
  private readonly counts = new Map<V, number>();

  constructor(values: readonly V[]) {
    for (const value of values) this.counts.set(value, 0);
  }

  inc(value: V, by = 1): void {
    this.counts.set(value, (this.counts.get(value) ?? 0) + by);
  }

  entries(): IterableIterator<[V, number]> {
    return this.counts.entries();
  }
}

/** The service's Prometheus metrics, on a registry of its own (several instances can share one process in tests). */
export class Metrics {
  readonly registry = new Registry();
  /** Notifications committed, one per recipient user. */
  readonly accepted: HotCounter;
  /** PAYLOAD frames carrying a notification written to a socket. */
  readonly delivered: HotCounter;
  /** Notifications the broker handed to this instance (with Redis: Pub/Sub messages received). */
  readonly brokerDeliveries: HotCounter;
  /** Connections refused or ended by the server, by the contract's reason token. */
  readonly refusals: Counter<'reason'>;
  /** Receipts created (`pending`) and moved to each later state, by state. */
  readonly receipts: HotCounters<ReceiptState>;
  /** Webhook POSTs of receipt events, by outcome (`delivered`: a 2xx; `failed`: anything else, retried). */
  readonly webhookAttempts: Counter<'outcome'>;

  constructor(sources: MetricsSources, instance: string) {
    this.registry.setDefaultLabels({ instance });
    collectDefaultMetrics({ register: this.registry });
    this.accepted = this.counter('transport_notifications_accepted_total', 'Notifications committed, one per recipient user');
    this.delivered = this.counter('transport_notifications_delivered_total', 'PAYLOAD frames written on notification streams (notifications and control messages)');
    this.brokerDeliveries = this.counter('transport_broker_deliveries_total', 'Notifications the broker handed to this instance (Redis Pub/Sub messages received)');
    this.refusals = new Counter({
      name: 'transport_refusals_total',
      help: 'Connections refused or ended by the server, by reason token',
      labelNames: ['reason'],
      registers: [this.registry],
    });
    this.gauge('transport_connections', 'Live RSocket connections (SETUP accepted)', sources.connections);
    this.gauge('transport_streams', 'Open notification streams', sources.streams);
    this.receipts = new HotCounters(RECEIPT_STATES);
    const receipts = this.receipts;
    new Counter({
      name: 'transport_receipts_total',
      help: 'Delivery receipts created (pending) and moved to each later state, by state',
      labelNames: ['state'],
      registers: [this.registry],
      collect() {
        this.reset();
        for (const [state, count] of receipts.entries()) this.inc({ state }, count);
      },
    });
    this.webhookAttempts = new Counter({
      name: 'transport_receipt_webhook_attempts_total',
      help: 'Receipt webhook POSTs, by outcome (delivered: a 2xx; failed: retried later)',
      labelNames: ['outcome'],
      registers: [this.registry],
    });
    this.gauge('transport_receipt_waiters', 'Receipt queries (waitFor) waiting on this instance', sources.receiptWaiters ?? (() => 0));
    this.gauge('transport_users', 'Users with at least one live connection on this instance', sources.users);
  }

  /** Counts one refusal or server-side ending. */
  refused(reason: Reason): void {
    this.refusals.inc({ reason });
  }

  private counter(name: string, help: string): HotCounter {
    const hot = new HotCounter();
    new Counter({
      name,
      help,
      registers: [this.registry],
      collect() {
        this.reset();
        this.inc(hot.value);
      },
    });
    return hot;
  }

  private gauge(name: string, help: string, read: () => number): void {
    new Gauge({
      name,
      help,
      registers: [this.registry],
      collect() {
        this.set(read());
      },
    });
  }
}
