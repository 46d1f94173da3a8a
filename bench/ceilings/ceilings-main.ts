// Runs only the ceilings and prints them:
//   node .build/bench/ceilings/ceilings-main.js [--smoke] [--seconds N]
// with DATABASE_URL, MQTT_URL and KAFKA_BROKERS set (. .run/<dir>/services.env).
import { measureCeilings } from './index'

async function main(): Promise<void> {
  const args = process.argv.slice(2)
  const smoke = args.includes('--smoke')
  const secondsArg = args[args.indexOf('--seconds') + 1]
  const ceilingSeconds = args.includes('--seconds') ? Number(secondsArg) : smoke ? 1.5 : 10
  const services = {
    databaseUrl: required('DATABASE_URL'),
    mqttUrl: required('MQTT_URL'),
    kafkaBrokers: required('KAFKA_BROKERS'),
  }
  const ceilings = await measureCeilings(services, { ceilingSeconds, smoke }, (line) =>
    console.error(line),
  )
  for (const c of ceilings)
    console.log(`${c.name}: ${c.perSecond} ${c.unit}  ${JSON.stringify(c.detail)}`)
}

function required(name: string): string {
  const value = process.env[name]
  if (!value) throw new Error(`${name} is not set (source a services.env)`)
  return value
}

main().catch((err: unknown) => {
  console.error(err)
  process.exitCode = 1
})
