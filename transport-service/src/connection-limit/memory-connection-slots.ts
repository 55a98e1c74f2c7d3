import { connectionLimitError, type ConnectionLimitSettings, type ConnectionSlots, type SlotHolder } from './connection-slots.js';

/**
 * The per-user connection limit of one instance (the in-process twin of `RedisConnectionSlots`). Slots are taken
 * synchronously at `acquire`, so connections accepted concurrently can never exceed the limit; each user's slots
 * are kept oldest first for `evict-oldest`.
 */
export class MemoryConnectionSlots implements ConnectionSlots {
  private readonly slots = new Map<string, Set<SlotHolder>>();

  constructor(private readonly settings: ConnectionLimitSettings) {}

  acquire(holder: SlotHolder): Promise<void> {
    const { maxConnectionsPerUser: max, policy } = this.settings;
    let held = this.slots.get(holder.userId);
    if (!held) {
      held = new Set();
      this.slots.set(holder.userId, held);
    }
    if (held.size >= max) {
      if (policy === 'reject-new') return Promise.reject(connectionLimitError(max));
      for (const oldest of [...held].slice(0, held.size - max + 1)) {
        held.delete(oldest);
        oldest.evict();
      }
    }
    held.add(holder);
    return Promise.resolve();
  }

  release(holder: SlotHolder): void {
    const held = this.slots.get(holder.userId);
    if (!held?.delete(holder)) return;
    if (held.size === 0) this.slots.delete(holder.userId);
  }

  close(): Promise<void> {
    this.slots.clear();
    return Promise.resolve();
  }
}
