import { namedParams } from '../../../src/journal/named-params'

describe('named SQL parameters', () => {
  it('numbers each name by its place in the declaration, wherever the SQL uses it', () => {
    const { placeholders: p } = namedParams('first', 'second', 'third')
    expect(`${p.third} ${p.first} ${p.second}`).toBe('$3 $1 $2')
  })

  it('gives a name used twice the same placeholder', () => {
    const { placeholders: p } = namedParams('kind', 'ids')
    expect(`${p.kind} = ANY(${p.ids}) OR ${p.kind} IS NULL`).toBe('$1 = ANY($2) OR $1 IS NULL')
  })

  it('lists the values in declared order, whatever order they are given in', () => {
    const params = namedParams('a', 'b', 'c')
    expect(params.values({ c: 3, a: [1], b: 'two' })).toEqual([[1], 'two', 3])
  })

  it('rejects an undeclared name: a type error, and an error when the types are bypassed', () => {
    const { placeholders: p } = namedParams('known')
    // @ts-expect-error `unknown` is not a declared parameter
    expect(() => `${p.unknown}`).toThrow('SQL parameter unknown is not declared')
  })

  it('rejects values that leave a name out: a type error, and an error at run time', () => {
    const params = namedParams('a', 'b')
    // @ts-expect-error `b` has no value
    expect(() => params.values({ a: 1 })).toThrow('SQL parameter b has no value')
  })

  it('rejects a name declared twice', () => {
    expect(() => namedParams('a', 'b', 'a')).toThrow('SQL parameter a declared twice')
  })
})
