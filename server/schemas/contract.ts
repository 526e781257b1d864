/**
 * Compile-time proof that the TypeBox schemas (what the server validates and serializes) and
 * typings/ (what the client is typed against) describe the same wire contract. Nothing here
 * runs: `tsc -b` fails if either side drifts, in either direction.
 */
import type { Static, TSchema } from 'typebox';
import type * as Api from '../../typings/api';
import type * as S from './index';

/** Exact type equality (not mutual assignability: optional vs required and `any` differ). */
export type Equal<A, B> =
  (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
/** Flattens intersections so TypeBox's `Static` shape compares cleanly with an interface. */
type Plain<T> = T extends object ? { [K in keyof T]: Plain<T[K]> } : T;
export type SameAs<Schema extends TSchema, T> = Equal<Plain<Static<Schema>>, Plain<T>>;
export type Assert<T extends true> = T;

export type Contract = [
  Assert<SameAs<typeof S.ApiErrorSchema, Api.ApiError>>,
  Assert<SameAs<typeof S.CatalogProductSchema, Api.CatalogProduct>>,
  Assert<SameAs<typeof S.OrderLimitsSchema, Api.OrderLimits>>,
  Assert<SameAs<typeof S.CatalogResponseSchema, Api.CatalogResponse>>,
  Assert<SameAs<typeof S.CreateOrderRequestSchema, Api.CreateOrderRequest>>,
  Assert<SameAs<typeof S.OrderLineSchema, Api.OrderLine>>,
  Assert<SameAs<typeof S.OrderSchema, Api.Order>>,
  Assert<SameAs<typeof S.CreatedOrderSchema, Api.CreatedOrder>>,
  Assert<SameAs<typeof S.SessionRequestSchema, Api.SessionRequest>>,
  Assert<SameAs<typeof S.SessionResponseSchema, Api.SessionResponse>>,
  Assert<SameAs<typeof S.PayResponseSchema, Api.PayResponse>>,
  Assert<SameAs<typeof S.PayWithLoginResponseSchema, Api.PayWithLoginResponse>>,
  Assert<SameAs<typeof S.JumpOutResponseSchema, Api.JumpOutResponse>>,
  Assert<SameAs<typeof S.RefundRequestSchema, Api.RefundRequest>>,
  Assert<SameAs<typeof S.RefundResponseSchema, Api.RefundResponse>>,
  Assert<SameAs<typeof S.HealthResponseSchema, Api.HealthResponse>>,
];
