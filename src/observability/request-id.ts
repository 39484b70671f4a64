/**
 * Request IDs: a sane incoming ID (≤ 200 chars, printable ASCII without spaces) is kept so a caller's
 * ID follows the request; anything else is replaced by a fresh UUID.
 */
import { newUuid } from './random-ids.js';

export const REQUEST_ID_HEADER = 'x-request-id';
const MAX_REQUEST_ID_LENGTH = 200;
const SANE_REQUEST_ID = /^[\x21-\x7e]+$/;

export function isSaneRequestId(value: string | string[] | undefined): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= MAX_REQUEST_ID_LENGTH && SANE_REQUEST_ID.test(value);
}

export function requestIdFrom(incoming: string | string[] | undefined): string {
  return isSaneRequestId(incoming) ? incoming : newUuid();
}
