/**
 * Every HTTP error leaves in one shape (SPEC §7):
 * `{ "error": { "code": "...", "message": "...", "details": [...] } }` with the right status.
 */
import { Catch, HttpException, HttpStatus, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import { hasErrorCode, type Logger } from '@herald/contracts';

export interface ErrorBody {
  readonly error: { readonly code: string; readonly message: string; readonly details: readonly unknown[] };
}

const CODE_BY_STATUS: Record<number, string> = {
  400: 'bad_request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  405: 'method_not_allowed',
  409: 'conflict',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  422: 'unprocessable',
  429: 'too_many_requests',
  503: 'unavailable',
};

/** Thrown by controllers for expected failures with a stable code. */
export class ApiError extends HttpException {
  constructor(
    status: number,
    readonly code: string,
    message: string,
    readonly details: readonly unknown[] = [],
  ) {
    super(message, status);
  }
}

@Catch()
export class ErrorFilter implements ExceptionFilter {
  constructor(private readonly logger: Logger) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<{
      status(code: number): { json(body: unknown): void };
      setHeader(name: string, value: string): void;
    }>();
    const { status, body } = this.toBody(exception);
    if (status >= 500) this.logger.error('request failed', { error: exception });
    // a route declaring another Content-Type (an HTML page) still fails in the one JSON error shape
    res.setHeader('Content-Type', 'application/json; charset=utf-8');
    res.status(status).json(body);
  }

  private toBody(exception: unknown): { status: number; body: ErrorBody } {
    if (exception instanceof ApiError) {
      return {
        status: exception.getStatus(),
        body: { error: { code: exception.code, message: exception.message, details: exception.details } },
      };
    }
    if (hasErrorCode(exception, 'validation_failed')) {
      return { status: 400, body: { error: { code: 'validation_failed', message: exception.message, details: exception.details } } };
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const response = exception.getResponse();
      const raw = typeof response === 'string' ? response : (response as { message?: unknown }).message;
      const message = Array.isArray(raw) ? raw.map(String).join('; ') : typeof raw === 'string' ? raw : exception.message;
      return { status, body: { error: { code: CODE_BY_STATUS[status] ?? 'error', message, details: [] } } };
    }
    return {
      status: HttpStatus.INTERNAL_SERVER_ERROR,
      body: { error: { code: 'internal', message: 'internal error; see the gateway log', details: [] } },
    };
  }
}
