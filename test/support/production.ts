import type { ValidInput } from '../../src/domain/inputs'
import type { ProductionReport } from '../../src/domain/production'

/** A valid production input for machine `machineId`, the n-th of its order. */
export function productionInput(
  machineId: string,
  n: number,
  overrides: Partial<ProductionReport> = {},
): ValidInput {
  return {
    entity: 'machine',
    entityKey: machineId,
    idempotencyKey: `${machineId}-${n}`,
    input: {
      kind: 'production',
      report: {
        machineId,
        partId: n % 5,
        order: 100 + Math.floor(n / 10),
        producedAt: 1_700_000_000_000 + n * 1000,
        damaged: n % 7 === 0,
        var1: n,
        var2: null,
        var3: null,
        var4: null,
        messageId: null,
        ...overrides,
      },
    },
  }
}
