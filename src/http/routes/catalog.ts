import { z } from 'zod'
import { MillstreamError } from '../../errors.js'
import type { CatalogReads } from '../../read/ports.js'
import { defineRoute, type ApiRoute } from '../route.js'
import {
  intParam,
  materialIdParam,
  materialView,
  pageQuery,
  partIdParam,
  partView,
  pricePoint,
  problem,
  storeUnavailable,
} from '../schemas.js'
import { getOneRoute } from './get-one.js'
import { pagedListRoute } from './paged-list.js'

/** Read side of parts and materials. */
export function catalogRoutes(catalog: CatalogReads): ApiRoute[] {
  const materialParams = z.strictObject({ materialId: materialIdParam })
  const historyQuery = z.strictObject({
    limit: intParam(1, 10_000).default(100).meta({ description: 'History entries (default 100)' }),
  })
  return [
    pagedListRoute({
      path: '/parts',
      summary: 'List parts with reference data, totals and unit material cost',
      tag: 'parts',
      item: partView,
      query: pageQuery,
      list: ({ limit, offset }) => catalog.parts(limit, offset),
      links: {
        FirstPart: {
          method: 'get',
          path: '/parts/{partId}',
          parameters: { partId: '$response.body#/items/0/partId' },
          description: 'The first part of the page',
        },
      },
    }),
    getOneRoute({
      path: '/parts/{partId}',
      summary: 'One part',
      tag: 'parts',
      params: z.strictObject({ partId: partIdParam }),
      noun: 'part',
      item: partView,
      find: ({ partId }) => catalog.part(partId),
    }),
    pagedListRoute({
      path: '/materials',
      summary: 'List materials with their latest prices',
      tag: 'materials',
      item: materialView,
      query: pageQuery,
      list: ({ limit, offset }) => catalog.materials(limit, offset),
      links: {
        FirstMaterial: {
          method: 'get',
          path: '/materials/{materialId}',
          parameters: { materialId: '$response.body#/items/0/materialId' },
          description: 'The first material of the page, with its price history',
        },
      },
    }),
    defineRoute({
      method: 'get',
      path: '/materials/{materialId}',
      summary: 'One material with its price history, newest first',
      tag: 'materials',
      params: materialParams,
      query: historyQuery,
      responses: {
        200: {
          description: 'The material',
          schema: materialView.extend({ history: z.array(pricePoint) }),
        },
        400: { description: 'Bad material id', schema: problem },
        404: { description: 'Unknown material', schema: problem },
        503: storeUnavailable,
      },
      handle: async (ctx, { params: { materialId }, query: { limit } }) => {
        const material = await catalog.material(materialId)
        if (!material) throw new MillstreamError('NOT_FOUND', `material ${materialId} not found`)
        ctx.body = { ...material, history: await catalog.priceHistory(materialId, limit) }
      },
    }),
  ]
}
