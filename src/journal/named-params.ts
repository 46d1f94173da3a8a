/**
 * Names for the positional parameters of one statement. Each name is `$n` by its place in the
 * declaration, which is also its place in the values array, so the SQL may use the parameters
 * in any order and a name used twice is the same parameter.
 */
export type NamedParams<Name extends string> = {
  /** The placeholder of each name: `${p.entityIds}` reads `$2` when it was declared second. */
  readonly placeholders: Readonly<Record<Name, string>>
  /** The values for pg, in declared order. */
  values(byName: Readonly<Record<Name, unknown>>): unknown[]
}

/**
 * Declares a statement's parameters, in the order pg numbers them. An undeclared name is a
 * type error; code that gets past the types (a cast, plain JS) throws when it reads one.
 */
export function namedParams<const Name extends string>(...names: Name[]): NamedParams<Name> {
  const placeholders = {} as Record<Name, string>
  names.forEach((name, i) => {
    if (Object.hasOwn(placeholders, name)) throw new Error(`SQL parameter ${name} declared twice`)
    placeholders[name] = `$${i + 1}`
  })
  return {
    placeholders: new Proxy(Object.freeze(placeholders), {
      get(target, name): unknown {
        if (typeof name === 'string' && !Object.hasOwn(target, name)) {
          throw new Error(`SQL parameter ${name} is not declared`)
        }
        return Reflect.get(target, name)
      },
    }),
    values: (byName) =>
      names.map((name) => {
        if (!Object.hasOwn(byName, name)) throw new Error(`SQL parameter ${name} has no value`)
        return byName[name]
      }),
  }
}
