/** `x` rounded to `decimals` places: readings and prices as a device would report them. */
export function round(x: number, decimals: number): number {
  const f = 10 ** decimals
  return Math.round(x * f) / f
}
