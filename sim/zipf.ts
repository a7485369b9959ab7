/**
 * A Zipf(s) sampler over ranks 0 … n−1 (rank r drawn with weight 1/(r+1)^s), by
 * binary search over the cumulative distribution; deterministic given `random`.
 * The market scenario and the clearing benchmark draw categories with it.
 */
export function zipfSampler (n: number, exponent: number, random: () => number): () => number {
  const cdf = new Float64Array(n)
  let sum = 0
  for (let i = 0; i < n; i++) cdf[i] = sum += 1 / Math.pow(i + 1, exponent)
  for (let i = 0; i < n; i++) cdf[i]! /= sum
  return () => {
    const u = random()
    let lo = 0
    let hi = n - 1
    while (lo < hi) {
      const mid = (lo + hi) >> 1
      if (cdf[mid]! < u) lo = mid + 1
      else hi = mid
    }
    return lo
  }
}
