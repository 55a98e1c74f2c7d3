import { RECOVERY_INCOMPLETE_TYPE, type RecoveryIncomplete } from '@notification-transport/contract';

/** The control message that opens a stream whose history no longer reaches back to `lastEventId`. */
export function recoveryIncomplete(lastEventId: string): Buffer {
  const message: RecoveryIncomplete = {
    id: null,
    type: RECOVERY_INCOMPLETE_TYPE,
    payload: { lastEventId, message: 'notifications after lastEventId may have been missed; re-sync from your own API' },
    createdAt: new Date().toISOString(),
  };
  return Buffer.from(JSON.stringify(message));
}
