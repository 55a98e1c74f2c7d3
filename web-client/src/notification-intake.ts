import { RECOVERY_INCOMPLETE_TYPE, type Notification, type NotificationId } from '@notification-transport/contract';
import type { ClientEvent } from './client-event.js';
import { NotificationDedupe } from './notification-dedupe.js';
import { parseStreamMessage } from './stream-message.js';

/** Where the intake delivers: the page's notifications and the diagnostic events. */
export interface IntakeSinks {
  notification(notification: Notification): void;
  event(event: ClientEvent): void;
}

const MAX_SAMPLE = 500;

/**
 * Turns the data of each PAYLOAD into a delivered notification, a control event or a `bad-payload` event, dropping
 * ids already delivered. Lives as long as the client, so dedupe and `lastEventId` carry over reconnects.
 */
export class NotificationIntake {
  private readonly dedupe: NotificationDedupe;
  private requestedAfter: NotificationId | undefined;

  constructor(
    private readonly sinks: IntakeSinks,
    lastEventId: NotificationId | undefined,
  ) {
    this.dedupe = new NotificationDedupe(lastEventId);
  }

  /** The id of the last notification delivered. */
  get lastEventId(): NotificationId | undefined {
    return this.dedupe.lastId;
  }

  /** A new stream opens: remembers the `lastEventId` it asked for, for the `recovery-incomplete` event. */
  streamOpened(): NotificationId | undefined {
    this.requestedAfter = this.dedupe.lastId;
    return this.requestedAfter;
  }

  /** Handles the data of one PAYLOAD; never throws for anything the server sent. */
  receive(text: string): void {
    const message = parseStreamMessage(text);
    if (message.kind === 'invalid') {
      this.sinks.event({ kind: 'bad-payload', problem: message.problem, data: text.slice(0, MAX_SAMPLE) });
    } else if (message.kind === 'control') {
      const { control } = message;
      this.sinks.event(
        control.type === RECOVERY_INCOMPLETE_TYPE
          ? { kind: 'recovery-incomplete', lastEventId: this.requestedAfter, payload: control.payload }
          : { kind: 'control', message: control },
      );
    } else if (this.dedupe.accept(message.notification)) {
      this.sinks.notification(message.notification);
    } else {
      this.sinks.event({ kind: 'duplicate', id: message.notification.id });
    }
  }
}
