import { Prng } from '../jira/prng';

/** A UUID-shaped id derived from a seed, so a simulated site keeps its cloudId across runs. */
export function seededUuid(seed: number): string {
  const rnd = new Prng(seed ^ 0x5eed);
  const hex = Array.from({ length: 32 }, () => rnd.int(0, 15).toString(16));
  hex[12] = '4';
  hex[16] = ((parseInt(hex[16], 16) & 0x3) | 0x8).toString(16);
  const h = hex.join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
