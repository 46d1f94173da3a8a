import { eventQuerySql } from '../../../src/read/event-query-sql'

describe('the event query', () => {
  it('caps the rows at the smaller of the asked limit and the cap', () => {
    expect(eventQuerySql({ limit: 10 }, 100).params).toEqual([10])
    expect(eventQuerySql({ limit: 1000 }, 100).params).toEqual([100])
    expect(eventQuerySql({}, 100).params).toEqual([100])
  })

  it('compares payload fields as the text of their JSON value, the way the index holds them', () => {
    const { sql, params } = eventQuerySql(
      { types: ['PartProduced'], contains: { partId: 4, damaged: true } },
      100,
    )
    expect(sql).toContain(`payload->>'partId' = $2::text`)
    expect(sql).toContain(`payload->>'damaged' = $3::text`)
    expect(sql).toContain('type = $1 ')
    expect(params).toEqual(['PartProduced', '4', 'true', 100])
  })

  it('asks for several types as one array', () => {
    const { sql, params } = eventQuerySql({ types: ['A', 'B'] }, 100)
    expect(sql).toContain('type = ANY($1::text[])')
    expect(params).toEqual([['A', 'B'], 100])
  })

  it('goes on after a position, in log order', () => {
    const { sql, params } = eventQuerySql({ key: 'M-1', afterPosition: 42 }, 100)
    expect(sql).toMatch(/entity_id = \$1 AND position > \$2\s+ORDER BY position LIMIT \$3/)
    expect(params).toEqual(['M-1', 42, 100])
  })

  it('refuses a field name that is not a plain name', () => {
    expect(() => eventQuerySql({ contains: { "x' OR 1=1 --": 1 } }, 100)).toThrow()
  })
})
