import { randomUUID } from 'node:crypto'
import { z } from 'zod'
import { commandVerdict, type AlarmCommand } from '../../domain/alarms/alarm-commands.js'
import { SEVERITIES } from '../../domain/alarms/alarm-rule.js'
import { text } from '../../domain/text.js'
import { MillstreamError } from '../../errors.js'
import type { AlarmReads } from '../../read/ports.js'
import type { MessageBus } from '../../streams/mqtt-publisher.js'
import { defineRoute, type ApiRoute, type Parsed } from '../route.js'
import { alarmView, machineIdParam, problem } from '../schemas.js'
import { acceptedWithReadBack, errors } from './commands.js'

const ruleIdParam = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/)
  .meta({ description: 'The id of the rule whose alarm it is' })

const ALARMS_READ_BACK = { path: '/alarms', description: 'The alarms, once the command is applied' }

/** The four operator commands: their path, body, and the command each body makes. */
const ACTIONS = {
  acknowledge: {
    summary: 'Acknowledge an alarm',
    body: z.strictObject({}),
    command: (ruleId: string): AlarmCommand => ({ action: 'acknowledge', ruleId }),
  },
  shelve: {
    summary: 'Shelve an alarm for a period, with a reason',
    body: z.strictObject({
      reason: text(1, 500),
      forSeconds: z
        .number()
        .positive()
        .max(30 * 86_400),
    }),
    command: (ruleId: string, b: { reason: string; forSeconds: number }): AlarmCommand => ({
      action: 'shelve',
      ruleId,
      reason: b.reason,
      forMs: b.forSeconds * 1000,
    }),
  },
  unshelve: {
    summary: 'Unshelve an alarm before its period ends',
    body: z.strictObject({}),
    command: (ruleId: string): AlarmCommand => ({ action: 'unshelve', ruleId }),
  },
  comment: {
    summary: 'Comment on an alarm',
    body: z.strictObject({ text: text(1, 2000) }),
    command: (ruleId: string, b: { text: string }): AlarmCommand => ({
      action: 'comment',
      ruleId,
      text: b.text,
    }),
  },
} as const

/**
 * Alarms: the list, and the operator's commands. A command is checked against the machine's
 * alarms as last committed (409 if the lifecycle refuses it), then published on the machine's
 * commands topic, so it reaches the machine's actor in order with its inputs, recorded with the
 * API key's name.
 */
export function alarmRoutes(alarms: AlarmReads, bus: MessageBus, topicPrefix: string): ApiRoute[] {
  const command = <B extends z.ZodType<Record<string, unknown>>>(
    action: keyof typeof ACTIONS,
    body: B,
    toCommand: (ruleId: string, body: Parsed<B>) => AlarmCommand,
    summary: string,
  ): ApiRoute =>
    defineRoute({
      method: 'post',
      path: `/machines/{machineId}/alarms/{ruleId}/${action}`,
      summary,
      tag: 'alarms',
      scope: 'command',
      audit: {
        action: `alarm-${action}`,
        target: ({ params }) => `machine ${params.machineId}: alarm ${params.ruleId}`,
      },
      params: z.strictObject({ machineId: machineIdParam, ruleId: ruleIdParam }),
      body,
      responses: {
        202: acceptedWithReadBack('machineId', ALARMS_READ_BACK),
        ...errors,
        404: { description: 'No such machine', schema: problem },
        409: {
          description: 'The alarm’s state does not allow it (e.g. already acknowledged)',
          schema: problem,
        },
      },
      handle: async (ctx, { params, body: parsed, caller }) => {
        const { machineId, ruleId } = params
        const book = await alarms.ofMachine(machineId)
        if (!book) throw new MillstreamError('NOT_FOUND', `no machine ${machineId}`)
        const c = toCommand(ruleId, parsed)
        const verdict = commandVerdict(book, c)
        if (!verdict.ok)
          throw new MillstreamError(
            'CONFLICT',
            `alarm ${ruleId} of machine ${machineId}: ${verdict.reason}`,
          )
        const messageId = randomUUID()
        const topic = `${topicPrefix}/machines/${machineId}/commands`
        const payload = {
          ...parsed,
          type: `alarm-${action}`,
          ruleId,
          messageId,
          ...(caller ? { requestedBy: caller.name } : {}),
        }
        await bus.publish(topic, JSON.stringify(payload))
        ctx.status = 202
        ctx.body = { messageId, topic }
      },
    })
  return [
    defineRoute({
      method: 'get',
      path: '/alarms',
      summary: 'Alarms that are not normal, or are shelved: most urgent first, then oldest',
      tag: 'alarms',
      query: z.strictObject({
        severity: z.enum(SEVERITIES).optional(),
        machineId: machineIdParam.optional(),
      }),
      responses: {
        200: { description: 'The alarms', schema: z.object({ items: z.array(alarmView) }) },
      },
      handle: async (ctx, { query }) => {
        ctx.body = {
          items: await alarms.active({
            ...(query.machineId ? { machineId: query.machineId } : {}),
            ...(query.severity ? { severity: query.severity } : {}),
          }),
        }
      },
    }),
    command(
      'acknowledge',
      ACTIONS.acknowledge.body,
      ACTIONS.acknowledge.command,
      ACTIONS.acknowledge.summary,
    ),
    command('shelve', ACTIONS.shelve.body, ACTIONS.shelve.command, ACTIONS.shelve.summary),
    command('unshelve', ACTIONS.unshelve.body, ACTIONS.unshelve.command, ACTIONS.unshelve.summary),
    command('comment', ACTIONS.comment.body, ACTIONS.comment.command, ACTIONS.comment.summary),
  ]
}
