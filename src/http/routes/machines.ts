import { z } from 'zod'
import { RUN_STATES } from '../../domain/oee.js'
import type { MachineReads } from '../../read/ports.js'
import type { ApiRoute } from '../route.js'
import { machineIdParam, machineView, pageQuery } from '../schemas.js'
import { getOneRoute } from './get-one.js'
import { pagedListRoute } from './paged-list.js'

/** Read side of machines: live state from the machine_state table. */
export function machineRoutes(machines: MachineReads): ApiRoute[] {
  return [
    pagedListRoute({
      path: '/machines',
      summary: 'List machines with their live state',
      tag: 'machines',
      item: machineView,
      query: pageQuery.extend({
        state: z.enum(RUN_STATES).optional().meta({ description: 'Only machines in this state' }),
        alert: z
          .enum(['silent', 'scrap-rate'])
          .optional()
          .meta({ description: 'Only machines with this alert raised' }),
      }),
      list: ({ limit, offset, ...filters }) => machines.list(limit, offset, filters),
      links: {
        FirstMachine: {
          method: 'get',
          path: '/machines/{machineId}',
          parameters: { machineId: '$response.body#/items/0/machineId' },
          description: 'The first machine of the page',
        },
        FirstMachineOee: {
          method: 'get',
          path: '/machines/{machineId}/oee',
          parameters: { machineId: '$response.body#/items/0/machineId' },
          description: 'The OEE of the first machine of the page',
        },
        FirstMachineProduction: {
          method: 'get',
          path: '/machines/{machineId}/production',
          parameters: { machineId: '$response.body#/items/0/machineId' },
          description: 'The production records of the first machine of the page',
        },
      },
    }),
    getOneRoute({
      path: '/machines/{machineId}',
      summary: 'One machine: state, counters, last order and part, last seen',
      tag: 'machines',
      params: z.strictObject({ machineId: machineIdParam }),
      noun: 'machine',
      item: machineView,
      find: ({ machineId }) => machines.get(machineId),
    }),
  ]
}
