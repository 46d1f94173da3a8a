import { z } from 'zod'
import { MillstreamError } from '../../errors.js'
import type { MachineQueries } from '../../store/machine-queries.js'
import type { ApiRoute } from '../route.js'
import { machineIdParam, machineView, problem } from '../schemas.js'
import { pagedListRoute } from './paged-list.js'

/** Read side of machines: live state from the machine_state table. */
export function machineRoutes(machines: MachineQueries): ApiRoute[] {
  const idParams = z.strictObject({ machineId: machineIdParam })
  return [
    pagedListRoute({
      path: '/machines',
      summary: 'List machines with their live state',
      tag: 'machines',
      item: machineView,
      filters: {
        state: z
          .enum(['unknown', 'running', 'idle', 'down', 'maintenance'])
          .optional()
          .meta({ description: 'Only machines in this state' }),
        alert: z
          .enum(['silent', 'scrap-rate'])
          .optional()
          .meta({ description: 'Only machines with this alert raised' }),
      },
      list: (limit, offset, filters) => machines.list(limit, offset, filters),
    }),
    {
      method: 'get',
      path: '/machines/{machineId}',
      summary: 'One machine: state, counters, last order and part, last seen',
      tag: 'machines',
      params: idParams,
      responses: {
        200: { description: 'The machine', schema: machineView },
        400: { description: 'Bad machine id', schema: problem },
        404: { description: 'No such machine has reported', schema: problem },
      },
      handle: async (ctx, { params }) => {
        const { machineId } = params as z.infer<typeof idParams>
        const machine = await machines.get(machineId)
        if (!machine) throw new MillstreamError('NOT_FOUND', `machine ${machineId} not found`)
        ctx.body = machine
      },
    },
  ]
}
