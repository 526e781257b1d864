/**
 * A refusal the shop decides itself, before any request (a link without an order number, a cart
 * parameter it cannot read or that breaks the server's limits). It carries the problem as data so
 * the page says it in the shopper's language; the message is English for logs.
 */
import type { InputProblem } from './i18n';
import { messagesFor } from './i18n';

export class InputError extends Error {
  readonly problem: InputProblem;

  constructor(problem: InputProblem) {
    super(messagesFor('en').input(problem));
    this.name = 'InputError';
    this.problem = problem;
  }
}
