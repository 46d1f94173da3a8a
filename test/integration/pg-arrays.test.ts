import { booleanArray, numberArray, textArray } from '../../src/journal/pg-arrays'
import { queryOnce, services } from '../../harness/services'

/** PostgreSQL reads each literal back as the array it was made from. */
describe('array literals for unnest parameters', () => {
  const { databaseUrl } = services()

  it('text: quotes, backslashes, separators, braces, blanks, NULL, the empty string, Unicode', async () => {
    const values = [
      'plain',
      'a"b',
      'back\\slash',
      'x,y',
      '{braces}',
      ' padded ',
      '',
      null,
      'NULL',
      'äöü ✓ 😀',
      '\\"',
    ]
    const r = await queryOnce<{ a: (string | null)[] }>(databaseUrl, 'SELECT $1::text[] AS a', [
      textArray(values),
    ])
    expect(r[0]?.a).toEqual(values)
  })

  it('numbers: integers, fractions, exponents, negatives and NULL, as float8 and bigint', async () => {
    const floats = [0, -1.5, 1733000000000.25, 1e-7, 1.7e21, -0.001, null]
    const ints = [0, 1, -42, 1733000000000, Number.MAX_SAFE_INTEGER, null]
    const r = await queryOnce<{ f: (number | null)[]; i: (string | null)[] }>(
      databaseUrl,
      'SELECT $1::float8[] AS f, $2::bigint[] AS i',
      [numberArray(floats), numberArray(ints)],
    )
    expect(r[0]?.f).toEqual(floats)
    expect(r[0]?.i).toEqual(ints.map((v) => (v === null ? null : String(v))))
  })

  it('booleans and empty arrays', async () => {
    const r = await queryOnce<{ b: boolean[]; t: string[]; n: number[] }>(
      databaseUrl,
      'SELECT $1::bool[] AS b, $2::text[] AS t, $3::int[] AS n',
      [booleanArray([true, false, true]), textArray([]), numberArray([])],
    )
    expect(r[0]).toEqual({ b: [true, false, true], t: [], n: [] })
  })
})
