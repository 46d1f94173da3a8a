import type { MachineCommand } from '../domain/machine.js'
import type { Mapping } from './mapping.js'
import { datatypeOf, encodeCommand } from './payload.js'
import type { SparkplugSource } from './sources.js'
import { edgeTopic } from './topics.js'

/** A command on its way to an edge node: its NCMD or DCMD topic and payload. */
export type EdgeCommand = { topic: string; payload: Buffer }

/**
 * The Sparkplug side of a machine's commands: a rebirth asked of its edge node, and the metric
 * writes its mapping gives an operator command (a DCMD to a device, an NCMD to a node).
 */
export class SparkplugCommands {
  constructor(
    private readonly sources: { of(machineId: string): Promise<SparkplugSource | undefined> },
    private readonly mapping: Mapping,
  ) {}

  /** The rebirth request for the machine's edge node; undefined when it is not a Sparkplug one. */
  async rebirth(machineId: string): Promise<EdgeCommand | undefined> {
    const source = await this.sources.of(machineId)
    if (!source) return undefined
    return {
      topic: edgeTopic('NCMD', { group: source.group, edgeNode: source.edgeNode }),
      payload: encodeCommand('Node Control/Rebirth', 'Boolean', true, Date.now()),
    }
  }

  /** The metric write an operator command maps to, if the machine's mapping names one. */
  async command(machineId: string, command: MachineCommand): Promise<EdgeCommand | undefined> {
    const source = await this.sources.of(machineId)
    if (!source) return undefined
    const write = this.mapping.resolve(source)?.commands[command]
    if (!write) return undefined
    return {
      topic: edgeTopic(source.device === undefined ? 'NCMD' : 'DCMD', source),
      payload: encodeCommand(write.metric, datatypeOf(write.value), write.value, Date.now()),
    }
  }
}
