import { z } from 'zod'
import { LOSS_CATEGORY_NAMES, PLANNED_CATEGORY_NAMES } from '../domain/loss-categories.js'

/** An id of a site, area, line or reason code. */
export const PLANT_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/

const id = z
  .string()
  .regex(PLANT_ID, 'an id: 1-64 of A-Z a-z 0-9 . _ : -, not starting with . _ : -')
const name = z.string().min(1).max(200)

/** A time of day, whole minutes, in the calendar's time zone. */
const timeOfDay = z
  .string()
  .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'a time of day as HH:MM (00:00-23:59)')

/** Days a shift starts on. */
export const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const
export type Weekday = (typeof WEEKDAYS)[number]

const span = z.strictObject({ start: timeOfDay, end: timeOfDay })

const shift = z.strictObject({
  name: id,
  start: timeOfDay,
  end: timeOfDay,
  days: z.array(z.enum(WEEKDAYS)).default([...WEEKDAYS]),
  breaks: z.array(span).default([]),
})

const exception = z.strictObject({
  date: z.iso.date(),
  off: z.literal(true).optional(),
  /** The shifts of that day, in place of the pattern's. */
  shifts: z.array(shift.omit({ days: true })).optional(),
})

const plannedDowntime = z.strictObject({
  from: z.iso.datetime({ offset: true }),
  to: z.iso.datetime({ offset: true }),
  category: z.enum(PLANNED_CATEGORY_NAMES),
  /** Lines and machines it applies to; both empty: every line on the calendar. */
  lines: z.array(id).default([]),
  machines: z.array(z.string().min(1).max(128)).default([]),
})

const calendar = z.strictObject({
  timeZone: z.string().min(1),
  shifts: z.array(shift).default([]),
  exceptions: z.array(exception).default([]),
  plannedDowntime: z.array(plannedDowntime).default([]),
})

const machineRef = z.union([
  z.string().min(1).max(128),
  z.strictObject({
    pattern: z
      .string()
      .min(1)
      .max(128)
      .regex(/^[A-Za-z0-9._:*-]+$/, 'machine id characters and * only'),
  }),
  z.strictObject({
    sparkplug: z.strictObject({ group: z.string().min(1), edgeNode: z.string().min(1) }),
  }),
])

const line = z.strictObject({
  id,
  name,
  calendar: id.optional(),
  targetPerShift: z.number().int().nonnegative().optional(),
  machines: z.array(machineRef).default([]),
})

const area = z.strictObject({ id, name, calendar: id.optional(), lines: z.array(line) })
const site = z.strictObject({ id, name, calendar: id.optional(), areas: z.array(area) })

const reason = z.strictObject({
  code: id,
  name,
  category: z.enum(LOSS_CATEGORY_NAMES),
  /** Defaults to the category's; a value that contradicts it is a problem. */
  planned: z.boolean().optional(),
})

/** The plant model file: the hierarchy, the reason catalogue and the shift calendars. */
export const plantModelSchema = z.strictObject({
  microStopSeconds: z.number().int().min(0).max(86_400).default(120),
  /** Scrap within this many minutes after a stop ends is a start-up reject. */
  startupMinutes: z.number().int().min(0).max(1440).default(10),
  reasons: z.array(reason).default([]),
  calendars: z.record(id, calendar).default({}),
  sites: z.array(site).min(1),
})

export type PlantModelFile = z.infer<typeof plantModelSchema>
export type CalendarSpec = z.infer<typeof calendar>
export type ShiftSpec = z.infer<typeof shift>
export type ExceptionSpec = z.infer<typeof exception>
export type PlannedDowntimeSpec = z.infer<typeof plannedDowntime>
export type MachineRef = z.infer<typeof machineRef>
export type LineSpec = z.infer<typeof line>
export type ReasonSpec = z.infer<typeof reason>

/** Minutes since midnight of a checked `HH:MM`. */
export function minutesOf(time: string): number {
  return Number(time.slice(0, 2)) * 60 + Number(time.slice(3, 5))
}
