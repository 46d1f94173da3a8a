/** An entity id (machine, material, event key), as a regular expression source for topics. */
export const ENTITY_ID_SOURCE = '[A-Za-z0-9._:-]{1,128}'

/** A whole string that is an entity id. */
export const ENTITY_ID = new RegExp(`^${ENTITY_ID_SOURCE}$`)
