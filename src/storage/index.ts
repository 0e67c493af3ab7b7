export * as store from './kvs_store';
export * from './keys';
