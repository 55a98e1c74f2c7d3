/** CRC16-CCITT (XMODEM) lookup table, the checksum Redis Cluster maps keys to slots with. */
const TABLE = Array.from({ length: 256 }, (_, byte) => {
  let crc = byte << 8;
  for (let bit = 0; bit < 8; bit += 1) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
  return crc;
});

/**
 * The Redis Cluster slot of every key tagged with `{userId}` (every per-user key here is): CRC16 of the tag's UTF-8
 * bytes modulo 16,384. Users with the same slot can share one stored content in Cluster mode.
 */
export function userHashSlot(userId: string): number {
  let crc = 0;
  for (const byte of Buffer.from(userId)) crc = ((crc << 8) & 0xffff) ^ (TABLE[((crc >> 8) ^ byte) & 0xff] as number);
  return crc % 16_384;
}
