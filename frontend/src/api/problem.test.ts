import { describe, expect, it } from 'vitest';
import { ApiError, fieldErrors, moveFailureMessage, problemMessage, STALE_BOARD_MESSAGE, toProblem } from './problem';

describe('problemMessage', () => {
  it('prefers the field errors, naming each field', () => {
    expect(
      problemMessage({
        status: 422,
        detail: 'The request does not match the schema',
        errors: [
          { loc: ['body', 'email'], msg: 'value is not a valid email address' },
          { loc: ['body', 'workspace_name'], msg: 'Field required' },
        ],
      }),
    ).toBe('email: value is not a valid email address; workspace name: Field required');
  });

  it('uses the detail, then the title, then the status', () => {
    expect(problemMessage({ status: 401, title: 'Unauthorized', detail: 'Wrong email or password' })).toBe('Wrong email or password');
    expect(problemMessage({ status: 409, title: 'Conflict' })).toBe('Conflict');
    expect(problemMessage({}, 503)).toBe('The server had a problem; try again');
  });

  it('reads FastAPI validation bodies and non-JSON answers', () => {
    const p = toProblem({ detail: [{ loc: ['query', 'limit'], msg: 'too big', type: 'x' }] }, 422);
    expect(problemMessage(p)).toBe('limit: too big');
    expect(toProblem(undefined, 502).title).toBe('The server had a problem; try again');
  });

  it('maps errors to fields for forms', () => {
    expect(
      fieldErrors({
        errors: [
          { loc: ['body', 'amount'], msg: 'bad' },
          { loc: ['body', 'amount'], msg: 'again' },
        ],
      }),
    ).toEqual({ amount: 'bad' });
  });

  it('is the message of an ApiError', () => {
    const e = new ApiError(403, { status: 403, title: 'Forbidden', detail: 'Admins only' });
    expect(e.message).toBe('Admins only');
    expect(e.status).toBe(403);
  });
});

describe('moveFailureMessage', () => {
  it('says the board was refreshed on 412', () => {
    expect(moveFailureMessage(412, { status: 412 }, 'Proposal Sent')).toBe(STALE_BOARD_MESSAGE);
    expect(STALE_BOARD_MESSAGE).toBe('This deal was changed by someone else — the board has been refreshed');
  });

  it('names the fields the stage requires on 422', () => {
    const problem = {
      status: 422,
      detail: 'Missing required fields',
      errors: [
        { loc: ['body', 'amount'], msg: 'required by the stage' },
        { loc: ['expected_close_date'], msg: 'required by the stage' },
      ],
    };
    expect(moveFailureMessage(422, problem, 'Proposal Sent')).toBe('Proposal Sent requires: amount, expected close date');
  });

  it('falls back to the problem when a 422 names no field', () => {
    expect(moveFailureMessage(422, { status: 422, detail: 'Wrong pipeline' }, 'Won')).toBe('Won cannot take this deal: Wrong pipeline');
  });
});
