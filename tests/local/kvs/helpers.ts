import { ForgeKvsAPIError } from '@forge/kvs';
import { KvsEmulator } from '../../../local/kvs';

/** The ForgeKvsAPIError a KVS call rejects with; fails the test if it resolves or throws something else. */
export async function kvsFailure(call: Promise<unknown>): Promise<ForgeKvsAPIError> {
  try {
    await call;
  } catch (error) {
    expect(error).toBeInstanceOf(ForgeKvsAPIError);
    return error as ForgeKvsAPIError;
  }
  throw new Error('expected the KVS call to be refused, but it succeeded');
}

export interface WireReply {
  status: number;
  text: string;
  json: unknown;
}

/** One raw request, for wire details the SDK hides (status codes of successes, exact bodies). */
export async function wire(emulator: KvsEmulator, namespace: string, path: string, body: unknown): Promise<WireReply> {
  const init = {
    method: 'POST',
    body: typeof body === 'string' ? body : JSON.stringify(body),
    headers: { 'content-type': 'application/json' },
  };
  const response = await emulator.handle(namespace, path, init);
  const text = await response.text();
  return { status: response.status, text, json: text === '' ? undefined : JSON.parse(text) };
}

/** A value nested `depth` containers deep: nested(1) is [1]. */
export function nested(depth: number): unknown {
  let value: unknown = 1;
  for (let i = 0; i < depth; i++) value = i % 2 === 0 ? [value] : { inner: value };
  return value;
}
