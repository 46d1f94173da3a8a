/**
 * Whether this is the deep run (`npm run test:deep`, which a release runs): the long tests at
 * full size. Every other run (CI on each change, `npm test`) takes the quick sizes, which keep
 * each test's assertions and bounds and cost a fraction of the time.
 */
export const DEEP_RUN = process.env.MILLSTREAM_DEEP_TESTS === '1'

/** `deep` in the deep run, `quick` in any other. */
export function bySize<T>(sizes: { quick: T; deep: T }): T {
  return DEEP_RUN ? sizes.deep : sizes.quick
}
