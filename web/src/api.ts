import type {
  DeadLetterPage,
  LoggedEvent,
  MachinePage,
  MachineView,
  OeeSeries,
  PipelineHealth,
  PlantSummary,
  TelemetrySeries,
} from './api-types.js'

const API = '/api/v1'
/** A read the service has not answered by then is given up, so a panel never hangs. */
const DEADLINE_MS = 15_000

/** A non-2xx answer, with the problem's title when the service sent one. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message)
  }
}

async function request(path: string, accept: string, signal?: AbortSignal): Promise<Response> {
  const deadline = AbortSignal.timeout(DEADLINE_MS)
  const res = await fetch(`${API}${path}`, {
    headers: { accept },
    signal: signal ? AbortSignal.any([signal, deadline]) : deadline,
  })
  if (!res.ok) {
    const problem = (await res.json().catch(() => ({}))) as { title?: string; detail?: string }
    throw new ApiError(
      res.status,
      `${path}: ${res.status} ${problem.detail ?? problem.title ?? ''}`,
    )
  }
  return res
}

async function getJson<T>(path: string, signal?: AbortSignal): Promise<T> {
  return (await (await request(path, 'application/json', signal)).json()) as T
}

/** A query string of the parameters that are set. */
export function query(params: Record<string, string | number | undefined>): string {
  const set = Object.entries(params).filter(
    (entry): entry is [string, string | number] => entry[1] !== undefined,
  )
  return set.length === 0 ? '' : `?${new URLSearchParams(set.map(([k, v]) => [k, String(v)]))}`
}

const PAGE = 1000

/** Every machine, a page of 1,000 at a time. */
export async function allMachines(signal?: AbortSignal): Promise<MachineView[]> {
  const machines: MachineView[] = []
  for (let offset = 0; ; offset += PAGE) {
    const page = await getJson<MachinePage>(`/machines${query({ limit: PAGE, offset })}`, signal)
    machines.push(...page.items)
    if (page.items.length < PAGE) return machines
  }
}

export const machine = (id: string, signal?: AbortSignal) =>
  getJson<MachineView>(`/machines/${encodeURIComponent(id)}`, signal)

export const plant = (signal?: AbortSignal) => getJson<PlantSummary>('/plant', signal)

export const pipeline = (signal?: AbortSignal) => getJson<PipelineHealth>('/pipeline', signal)

export type Range = { from: number; to: number }

export const plantSeries = ({ from, to }: Range, signal?: AbortSignal) =>
  getJson<OeeSeries>(`/plant/series${query({ from, to })}`, signal)

export const oeeSeries = (id: string, { from, to }: Range, signal?: AbortSignal) =>
  getJson<OeeSeries>(`/machines/${encodeURIComponent(id)}/oee/series${query({ from, to })}`, signal)

export const telemetry = (id: string, { from, to }: Range, signal?: AbortSignal) =>
  getJson<TelemetrySeries>(
    `/machines/${encodeURIComponent(id)}/telemetry${query({ from, to })}`,
    signal,
  )

export const deadLetters = (after: number, limit: number, signal?: AbortSignal) =>
  getJson<DeadLetterPage>(`/dead-letters${query({ after, limit })}`, signal)

/** GET /events as NDJSON: every line parsed, in log order. */
export async function events(
  params: { key: string; type?: string; from?: number; to?: number; limit?: number },
  signal?: AbortSignal,
): Promise<LoggedEvent[]> {
  const res = await request(`/events${query(params)}`, 'application/x-ndjson', signal)
  const text = await res.text()
  return text
    .split('\n')
    .filter((line) => line.length > 0)
    .map((line) => JSON.parse(line) as LoggedEvent)
}
