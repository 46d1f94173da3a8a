import { z } from 'zod'
import type { MachineQueries } from '../../read/machine-queries.js'
import type { ApiRoute } from '../route.js'
import { machineIdParam, machineView } from '../schemas.js'
import { getOneRoute } from './get-one.js'
import { pagedListRoute } from './paged-list.js'

/** Read side of machines: live state from the machine_state table. */
export function machineRoutes(machines: MachineQueries): ApiRoute[] {
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
      id: { name: 'machineId', schema: machineIdParam },
      noun: 'machine',
      item: machineView,
      find: (machineId) => machines.get(machineId),
    }),
  ]
}
