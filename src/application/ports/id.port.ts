export const ID_GENERATOR = Symbol('ID_GENERATOR');

export interface IdGenerator {
  /** A random UUID (v4). */
  next(): string;
}
