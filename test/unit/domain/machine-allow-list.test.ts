import { machineAllowList } from '../../../src/domain/machine-allow-list'

describe('the machine allow-list', () => {
  it('allows every machine when no list is set', () => {
    expect(machineAllowList(undefined)('anything')).toBe(true)
    expect(machineAllowList([])('anything')).toBe(true)
  })

  it('allows the ids it names and the ids its patterns match, and nothing else', () => {
    const allowed = machineAllowList(['press-*', '1', '2', 'cell.*.b'])
    expect(['press-1', 'press-', '1', '2', 'cell.x.b', 'cell..b'].every(allowed)).toBe(true)
    expect(['3', '12', 'xpress-1', 'press', 'cell.x.bb', 'cellxxb'].some(allowed)).toBe(false)
  })

  it('reads every character but * literally', () => {
    const allowed = machineAllowList(['a.b', 'c+*'])
    expect(allowed('a.b')).toBe(true)
    expect(allowed('axb')).toBe(false)
    expect(allowed('c+1')).toBe(true)
    expect(allowed('cc1')).toBe(false)
  })
})
