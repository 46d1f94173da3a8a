/** The Sparkplug load's device ids, and so its machine ids (the mapping takes the device id). */
export function sparkplugDeviceIds(runId: string, devices: number): string[] {
  return Array.from({ length: devices }, (_, i) => `${runId}-${i + 1}`)
}
