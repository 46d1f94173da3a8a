import { z } from 'zod'
import { MillstreamError } from '../../errors.js'
import type { MachineQueries } from '../../store/machine-queries.js'
import type { ApiRoute } from '../route.js'
import { machineIdParam, machineView, page, pageQuery, problem } from '../schemas.js'

/** Read side of machines: live state from the machine_state table. */
export function machineRoutes(machines: MachineQueries): ApiRoute[] {
  const idParams = z.strictObject({ machineId: machineIdParam })
  return [
    {
      method: 'get',
      path: '/machines',
      summary: 'List machines with their live state',
      tag: 'machines',
      query: pageQuery,
      responses: {
        200: { description: 'A page of machines, ordered by id', schema: page(machineView) },
        400: { description: 'Bad query', schema: problem },
      },
      handle: async (ctx, { query }) => {
        const { limit, offset } = query as z.infer<typeof pageQuery>
        ctx.body = { items: await machines.list(limit, offset), limit, offset }
      },
    },
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
