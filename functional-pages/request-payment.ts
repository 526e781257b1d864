import type { BeforeRequestPaymentCallback } from '../typings';
import { API_BASE_URL } from './build-config';

export function beforeRequestPayment(
  _paymentArgs: unknown,
  callback: BeforeRequestPaymentCallback,
): void {
  callback(new Error(`not implemented yet (${API_BASE_URL})`));
}
