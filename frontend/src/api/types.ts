/**
 * The records the screens work with, read off the typed paths so they follow the backend's schema
 * (and the contract's stand-ins until the backend publishes a path).
 */
import type { paths as Paths } from './schema';

type JsonOf<R> = R extends { content: { 'application/json': infer T } } ? T : never;
type Success<O> = O extends { responses: infer R }
  ? R extends { 200: infer X }
    ? JsonOf<X>
    : R extends { 201: infer Y }
      ? JsonOf<Y>
      : never
  : never;
type Method<P extends keyof Paths, M extends string> = Paths[P] extends { [K in M]: infer O } ? O : never;

/** The JSON a successful `M` on `P` answers. */
export type ResponseOf<P extends keyof Paths, M extends string = 'get'> = Success<Method<P, M>>;
/** The JSON body `M` on `P` takes. */
export type BodyOf<P extends keyof Paths, M extends string> =
  Method<P, M> extends { requestBody?: { content: { 'application/json': infer B } } } ? B : never;

type ItemOf<Page> = Page extends { items: (infer T)[] } ? T : never;

export type Me = ResponseOf<'/api/v1/me'>;
export type Workspace = ResponseOf<'/api/v1/workspace'>;
export type Member = ItemOf<ResponseOf<'/api/v1/members'>>;
export type Pipeline = ItemOf<ResponseOf<'/api/v1/pipelines'>>;
export type Board = ResponseOf<'/api/v1/pipelines/{pipeline_id}/board'>;
export type BoardColumn = Board['columns'][number];
export type Stage = BoardColumn['stage'];
export type BoardCard = BoardColumn['deals'][number];
export type Deal = ResponseOf<'/api/v1/deals/{deal_id}'>;
export type DealPatch = BodyOf<'/api/v1/deals/{deal_id}', 'patch'>;
export type Contact = ResponseOf<'/api/v1/contacts/{contact_id}'>;
export type Account = ResponseOf<'/api/v1/accounts/{account_id}'>;
export type Activity = ItemOf<ResponseOf<'/api/v1/activities'>>;
export type ActivityType = Activity['type'];
export type TimelineItem = ItemOf<ResponseOf<'/api/v1/deals/{deal_id}/timeline'>>;

export type CustomField = ItemOf<ResponseOf<'/api/v1/custom-fields'>>;
export type CustomFieldIn = BodyOf<'/api/v1/custom-fields', 'post'>;
export type CustomFieldObject = CustomField['object'];
export type CustomFieldType = CustomField['type'];
export type LostReason = ItemOf<ResponseOf<'/api/v1/lost-reasons'>>;

export type Role = Me['role'];
export type TrashItem = ItemOf<ResponseOf<'/api/v1/trash'>>;
export type TrashObject = TrashItem['object'];
export type BulkOperation = ResponseOf<'/api/v1/bulk-operations/{operation_id}'>;
