import type { PlantModel } from '../plant/plant-model.js'
import Router from '@koa/router'
import Koa from 'koa'
import type { Logger } from '../logger.js'
import type { Metrics } from '../metrics.js'
import type { MessageBus } from '../streams/mqtt-publisher.js'
import type { ApiKeys, Caller } from './api-keys.js'
import type { RateLimiter } from './rate-limit.js'
import { MillstreamError } from '../errors.js'
import type {
  AlarmHealthReads,
  AlarmReads,
  AlarmRuleReads,
  AuditEntry,
  AuditTrail,
  CatalogReads,
  DeadLetterReads,
  ParkedRecords,
  EventHistory,
  LiveUpdates,
  MachineReads,
  PlantReads,
  DowntimeReads,
  DowntimeClassifier,
  KpiReads,
  SchemaReads,
  SeriesReads,
} from '../read/ports.js'
import { allowedHosts } from './allowed-hosts.js'
import { cors } from './cors.js'
import { dashboard } from './dashboard.js'
import { securityHeaders } from './security-headers.js'
import { jsonBody } from './json-body.js'
import { buildOpenApi } from './openapi.js'
import { problemDetails } from './problem.js'
import { swaggerUi } from './swagger-ui.js'
import { methodNotAllowed } from './method-not-allowed.js'
import { koaPath, type ApiRoute, type UntypedInput } from './route.js'
import { healthRoutes, type ReadinessProbe } from './routes/health.js'
import { alarmRuleRoutes } from './routes/alarm-rules.js'
import { alarmRoutes } from './routes/alarms.js'
import { alarmHealthRoutes } from './routes/alarm-health.js'
import { auditRoutes } from './routes/audit.js'
import { catalogRoutes } from './routes/catalog.js'
import { deadLetterRoutes } from './routes/dead-letters.js'
import { parkedRecordRoutes } from './routes/parked-records.js'
import { commandRoutes, type EdgeCommands } from './routes/commands.js'
import { eventRoutes } from './routes/events.js'
import { machineRoutes } from './routes/machines.js'
import { plantRoutes } from './routes/plant.js'
import { downtimeRoutes } from './routes/downtime.js'
import { kpiRoutes } from './routes/kpis.js'
import { productionRoutes, type OeeLookup } from './routes/production.js'
import { schemaRoutes } from './routes/schemas.js'
import { seriesRoutes } from './routes/series.js'
import { streamRoutes } from './routes/stream.js'
import { parseOr400 } from './validate.js'

export type HttpDeps = {
  metrics: Metrics
  bus: MessageBus
  apiKeys: ApiKeys
  topicPrefix: string
  ingestLimit: RateLimiter
  /** Commands to Sparkplug B machines' edge nodes, when the host is on. */
  edgeCommands?: EdgeCommands
  machines: MachineReads
  plant: PlantReads
  /** The plant's downtime records, and the model that names their reasons. */
  downtime: DowntimeReads
  /** The follower's records the plant's KPIs are computed from. */
  kpis: KpiReads
  /** Supervisors' reasons for stops, committed as events. */
  classifier: DowntimeClassifier
  plantModel: () => PlantModel
  catalog: CatalogReads
  deadLetters: DeadLetterReads
  /** Records Kafka refused for good, parked by the relay. */
  parkedRecords: ParkedRecords
  schemas: SchemaReads
  eventHistory: EventHistory
  /** Time series for charts, from the rollup tables. */
  series: SeriesReads
  /** Committed changes as they happen (GET /stream). */
  stream: LiveUpdates
  oeeOf: OeeLookup
  oeeWindowMs: number
  readiness: ReadinessProbe
  /** Where audit records are kept besides the log (GET /audit reads them back). */
  audit: AuditTrail
  /** Whether reads under /api/v1 need an API key too (commands and ingest always do). */
  readsNeedKey: boolean
  log: Logger
  version: string
  /** Security headers, allowed hosts, CORS; headers only (no HSTS), when not given. */
  hygiene?: HttpHygiene
  /** The alarm rules in force (GET /alarm-rules); the route is absent without them. */
  alarmRules?: AlarmRuleReads
  /** The machines' alarms (GET /alarms and the alarm commands); the routes are absent without. */
  alarms?: AlarmReads
  /** Alarm-system health (GET /alarms/health); absent without it. */
  alarmHealth?: AlarmHealthReads
}

/** What every response of the service's listener is held to. */
export type HttpHygiene = Readonly<{
  /** Served over HTTPS: HSTS is sent. */
  https: boolean
  /** The host names a request's Host header may name; any, when not given. */
  allowedHosts?: readonly string[]
  /** The exact origins allowed cross-origin calls from browsers; none, when not given. */
  corsOrigins?: readonly string[]
}>

const API_PREFIX = '/api/v1'

/** Builds the Koa app (never listens: the composition root does). */
export function createHttpApp(deps: HttpDeps): Koa {
  const guarded = (route: ApiRoute): ApiRoute =>
    deps.readsNeedKey && !route.scope ? { ...route, scope: 'read' } : route
  const groups = [
    {
      prefix: API_PREFIX,
      routes: [
        ...machineRoutes(deps.machines),
        ...plantRoutes(deps.plant, deps.series, deps.metrics.registry),
        ...downtimeRoutes(deps.downtime, deps.plantModel, deps.classifier),
        ...kpiRoutes(deps.kpis, deps.plantModel),
        ...catalogRoutes(deps.catalog),
        ...deadLetterRoutes(deps.deadLetters),
        ...parkedRecordRoutes(deps.parkedRecords),
        ...schemaRoutes(deps.schemas),
        ...eventRoutes(deps.eventHistory, deps.schemas),
        ...streamRoutes(deps.stream),
        ...commandRoutes(deps.bus, deps.topicPrefix, deps.ingestLimit, deps.edgeCommands),
        ...productionRoutes(deps.eventHistory, deps.oeeOf, deps.oeeWindowMs),
        ...seriesRoutes(deps.series),
        ...auditRoutes(deps.audit),
        ...(deps.alarmRules ? alarmRuleRoutes(deps.alarmRules) : []),
        ...(deps.alarmHealth ? alarmHealthRoutes(deps.alarmHealth) : []),
        ...(deps.alarms ? alarmRoutes(deps.alarms, deps.bus, deps.topicPrefix) : []),
      ].map(guarded),
    },
    { prefix: '', routes: healthRoutes(deps.readiness, deps.metrics.registry) },
  ]
  const openapi = buildOpenApi(groups, deps.version)
  const router = new Router()
  const audit = auditRecorder(deps.log, deps.audit)
  for (const { prefix, routes } of groups)
    for (const route of routes) mount(router, prefix, route, deps.apiKeys, audit)
  router.get(`${API_PREFIX}/openapi.json`, (ctx) => {
    ctx.body = openapi
  })

  const app = new Koa()
  app.use(async (ctx, next) => {
    const started = performance.now()
    try {
      await next()
    } finally {
      const route = (ctx as { _matchedRoute?: string })._matchedRoute ?? 'unmatched'
      deps.metrics.httpSeconds.observe(
        { method: ctx.method, route: String(route), status: String(ctx.status) },
        (performance.now() - started) / 1000,
      )
    }
  })
  useHygiene(app, deps.log, deps.hygiene)
  // The plant dashboard: the page at / and its files under /assets/, outside the API.
  const page = dashboard(deps.log.child({ module: 'dashboard' }))
  app.use(async (ctx, next) => {
    if (ctx.path === '/' || ctx.path.startsWith('/assets/')) await page(ctx, next)
    else await next()
  })
  // Swagger UI and the body parser cost a few percent per request: run them only where needed.
  const docs = swaggerUi({
    routePrefix: `${API_PREFIX}/docs`,
    specUrl: `${API_PREFIX}/openapi.json`,
  })
  app.use(async (ctx, next) => {
    if (ctx.path.startsWith(`${API_PREFIX}/docs`)) await docs(ctx, next)
    else await next()
  })
  app.use((ctx, next) => (WITH_BODY.has(ctx.method) ? jsonBody(ctx, next) : next()))
  app.use(methodNotAllowed(router))
  app.use(router.routes())
  return app
}

const WITH_BODY = new Set(['POST', 'PUT', 'PATCH'])

/**
 * Only liveness, readiness and metrics: what an instance without the http role serves, so
 * every role can be watched and balanced the same way.
 */
export function createOpsApp(
  deps: Pick<HttpDeps, 'metrics' | 'readiness' | 'apiKeys' | 'log' | 'hygiene'>,
): Koa {
  const router = new Router()
  const audit = auditRecorder(deps.log)
  for (const route of healthRoutes(deps.readiness, deps.metrics.registry))
    mount(router, '', route, deps.apiKeys, audit)
  const app = new Koa()
  useHygiene(app, deps.log, deps.hygiene)
  app.use(methodNotAllowed(router))
  app.use(router.routes())
  return app
}

/**
 * Security headers first, so every answer carries them, errors included; then the problem
 * mapping, then the host check and CORS, whose refusals it renders.
 */
function useHygiene(app: Koa, log: Logger, hygiene: HttpHygiene = { https: false }): void {
  app.use(securityHeaders({ https: hygiene.https }))
  app.use(problemDetails(log.child({ module: 'http' })))
  if (hygiene.allowedHosts) app.use(allowedHosts(hygiene.allowedHosts))
  if (hygiene.corsOrigins) app.use(cors(hygiene.corsOrigins))
}

function mount(
  router: Router,
  prefix: string,
  route: ApiRoute,
  apiKeys: ApiKeys,
  audit: RecordAudit,
): void {
  router[route.method](`${prefix}${koaPath(route.path)}`, async (ctx) => {
    const caller = route.scope ? authenticate(apiKeys, ctx) : undefined
    let input: UntypedInput | undefined
    try {
      if (caller && route.scope && !caller.scopes.has(route.scope))
        throw new MillstreamError('FORBIDDEN', `the API key lacks scope ${route.scope}`)
      const params = route.params ? parseOr400(route.params, ctx.params, 'path') : {}
      const query = route.query ? parseOr400(route.query, ctx.query, 'query') : {}
      const body = route.body
        ? parseOr400(route.body, (ctx.request as { body?: unknown }).body, 'body')
        : undefined
      input = { params, query, body, ...(caller ? { caller } : {}) }
      await route.handle(ctx, input)
    } catch (err) {
      const outcome = err instanceof MillstreamError ? err.code : 'FAILED'
      if (caller && route.audit) await audit(entryOf(caller, route, ctx.path, input, outcome))
      throw err
    }
    if (caller && route.audit)
      await audit(entryOf(caller, route, ctx.path, input, String(ctx.status)))
  })
}

/** The key an `Authorization` header names; 401 when it names none or an unknown one. */
function authenticate(apiKeys: ApiKeys, ctx: Koa.Context): Caller {
  const caller = apiKeys.identify(ctx.get('authorization') || undefined)
  if (typeof caller !== 'string') return caller
  ctx.set('WWW-Authenticate', 'Bearer')
  throw new MillstreamError(
    'UNAUTHORIZED',
    caller === 'missing'
      ? 'an API key is required: Authorization: Bearer <key>'
      : 'the API key is not a known one',
  )
}

/** Keeps one audit record; never throws (the request's own outcome stands). */
type RecordAudit = (entry: AuditEntry) => Promise<void>

/** What an audit record says: the key's name, the route's action, the target, the outcome. */
function entryOf(
  caller: Caller,
  route: ApiRoute,
  path: string,
  input: UntypedInput | undefined,
  outcome: string,
): AuditEntry {
  const target = input && route.audit?.target ? route.audit.target(input) : path
  return { key: caller.name, action: route.audit?.action ?? route.path, target, outcome }
}

/**
 * Each audit record is a log line at info (`audit: true`), written first so the log pipeline
 * has it whatever happens next, then a row of the trail. A trail that cannot take it is
 * logged, not answered: the command has gone out already, and a retry would repeat it.
 */
function auditRecorder(log: Logger, trail?: AuditTrail): RecordAudit {
  const auditLog = log.child({ module: 'audit' })
  return async (entry) => {
    auditLog.info({ audit: true, ...entry }, 'audit')
    if (!trail) return
    try {
      await trail.record(entry)
    } catch (err) {
      auditLog.warn({ err, ...entry }, 'audit record not stored; it is in this log only')
    }
  }
}

/** Every path and method the API serves, for the OpenAPI coverage test. */
export const OPENAPI_PATH = `${API_PREFIX}/openapi.json`
