/**
 * `@scrollback/store/testing`: the contract suite every Scrollback backend passes, for code that
 * wraps or re-implements the store. Call `describeStoreContract` from a Vitest test file with a
 * target whose `open()` returns a new store over the same data each time.
 */
export { describeStoreContract, type ContractTarget } from './contract/index.js';
