import { MemoryConnectionSlots } from '../../../src/connection-limit/memory-connection-slots.js';
import { describeConnectionSlotsContract } from '../../support/connection-slots-contract.js';

describeConnectionSlotsContract('MemoryConnectionSlots', (settings) => Promise.resolve(new MemoryConnectionSlots(settings)));
