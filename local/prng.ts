/**
 * Seeded pseudo-random numbers for the local runtime: the Jira site generator, the KVS and
 * Jira fault injectors, and the simulator.
 *
 * Everything the emulator invents (project names, rates, which request is rate
 * limited) must be a pure function of a seed, so a failing test can be replayed
 * exactly. Math.random cannot be seeded, hence this small generator: a Weyl
 * sequence pushed through the murmur3 32-bit finaliser. It is not
 * cryptographic; it only has to be fast, well spread and reproducible.
 */
export class Prng {
  private state: number;

  constructor(seed: number) {
    this.state = mix32(Math.trunc(seed) >>> 0) | 0;
  }

  /** A uniformly distributed unsigned 32-bit integer. */
  nextUint32(): number {
    this.state = (this.state + 0x9e3779b9) | 0;
    return mix32(this.state);
  }

  /** A float in [0, 1). */
  next(): number {
    return this.nextUint32() / 0x1_0000_0000;
  }

  /** An integer in [min, max], both inclusive. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(probability: number): boolean {
    return this.next() < probability;
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)];
  }
}

/** murmur3's fmix32: scrambles all 32 input bits into all 32 output bits. */
function mix32(value: number): number {
  let z = value | 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

/**
 * A stateless hash of a few integers to [0, 1). Issue attributes that are not
 * counted by JQL (summary words, priority) come from here, so an issue renders
 * the same whichever page it lands on, without a generator to replay.
 */
export function hashUnit(...parts: number[]): number {
  let h = 0x2545f491;
  for (const part of parts) {
    h = mix32((h ^ (part >>> 0)) + Math.floor(part / 0x1_0000_0000));
  }
  return h / 0x1_0000_0000;
}

/** FNV-1a over a string's UTF-16 code units: a stable 32-bit fingerprint. */
export function hashString(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193) >>> 0;
  }
  return hash;
}

/** A UUID-shaped id derived from a seed, so a simulated site keeps its cloudId across runs. */
export function seededUuid(seed: number): string {
  const rnd = new Prng(seed ^ 0x5eed);
  const hex = Array.from({ length: 32 }, () => rnd.int(0, 15).toString(16));
  hex[12] = '4';
  hex[16] = ((parseInt(hex[16], 16) & 0x3) | 0x8).toString(16);
  const h = hex.join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
