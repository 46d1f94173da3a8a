/**
 * A seeded pseudo-random source (sfc32): the same seed gives the same plant and the same run.
 * `Math.random` cannot be seeded, so a reproducible simulation cannot use it.
 */
export class Random {
  private a: number
  private b: number
  private c: number
  private d: number

  constructor(seed: number | string) {
    // Four independent 32-bit words from one seed, so nearby seeds give unrelated streams.
    const words = hashWords(String(seed))
    this.a = words[0]
    this.b = words[1]
    this.c = words[2]
    this.d = words[3]
    // The first outputs of sfc32 still echo the seed: discard them.
    for (let i = 0; i < 15; i++) this.next()
  }

  /** A uniform draw in [0, 1). */
  next(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0
    this.d = (this.d + 1) | 0
    this.a = this.b ^ (this.b >>> 9)
    this.b = (this.c + (this.c << 3)) | 0
    this.c = (this.c << 21) | (this.c >>> 11)
    this.c = (this.c + t) | 0
    return (t >>> 0) / 4294967296
  }

  /** A uniform draw in [min, max). */
  uniform(min: number, max: number): number {
    return min + (max - min) * this.next()
  }

  /** A whole number in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1))
  }

  /** True with probability `p`. */
  chance(p: number): boolean {
    return this.next() < p
  }

  /** One element of a non-empty list. */
  pick<T>(items: readonly [T, ...T[]]): T {
    return items[Math.floor(this.next() * items.length)] ?? items[0]
  }

  /** `count` distinct elements of `items`, in random order (a partial Fisher–Yates shuffle). */
  sample<T>(items: readonly T[], count: number): T[] {
    const copy = [...items]
    const n = Math.min(count, copy.length)
    for (let i = 0; i < n; i++) {
      const j = i + Math.floor(this.next() * (copy.length - i))
      ;[copy[i], copy[j]] = [copy[j] as T, copy[i] as T]
    }
    return copy.slice(0, n)
  }

  /** A normal draw (Box–Muller). */
  normal(mean = 0, sd = 1): number {
    const u = 1 - this.next() // (0, 1]: log(0) would be -Infinity
    const v = this.next()
    return mean + sd * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v)
  }

  /** An exponential draw with the given mean: the time to a memoryless event. */
  exponential(mean: number): number {
    return -mean * Math.log(1 - this.next())
  }

  /** A multiplier around 1 whose logarithm is normal: for per-machine spread of a setting. */
  spread(sd: number): number {
    return Math.exp(this.normal(0, sd))
  }

  /** An independent stream named `label`, from this seed: adding one machine changes no other. */
  static derive(seed: number | string, label: string): Random {
    return new Random(`${String(seed)}/${label}`)
  }
}

/** Four 32-bit words from a string (cyrb128). */
function hashWords(text: string): [number, number, number, number] {
  let h1 = 1779033703
  let h2 = 3144134277
  let h3 = 1013904242
  let h4 = 2773480762
  for (let i = 0; i < text.length; i++) {
    const k = text.charCodeAt(i)
    h1 = h2 ^ Math.imul(h1 ^ k, 597399067)
    h2 = h3 ^ Math.imul(h2 ^ k, 2869860233)
    h3 = h4 ^ Math.imul(h3 ^ k, 951274213)
    h4 = h1 ^ Math.imul(h4 ^ k, 2716044179)
  }
  h1 = Math.imul(h3 ^ (h1 >>> 18), 597399067)
  h2 = Math.imul(h4 ^ (h2 >>> 22), 2869860233)
  h3 = Math.imul(h1 ^ (h3 >>> 17), 951274213)
  h4 = Math.imul(h2 ^ (h4 >>> 19), 2716044179)
  h1 ^= h2 ^ h3 ^ h4
  h2 ^= h1
  h3 ^= h1
  h4 ^= h1
  return [h1 >>> 0, h2 >>> 0, h3 >>> 0, h4 >>> 0]
}
