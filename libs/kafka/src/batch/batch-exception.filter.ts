import { ArgumentsHost, Catch, RpcExceptionFilter } from '@nestjs/common';
import { Observable, throwError } from 'rxjs';

/**
 * Hands whatever a batch's pipeline threw to the batch transport as it is. Nest's default RPC filter
 * turns any error that is not an RpcException into `{ status: 'error', message: 'Internal server
 * error' }`, made for a reply to a remote caller; an event batch has no caller, and the transport,
 * which holds the partition back, must say what went wrong (a TypeError in an interceptor, say).
 */
@Catch()
export class BatchExceptionFilter implements RpcExceptionFilter {
  catch(exception: unknown, _host: ArgumentsHost): Observable<never> {
    return throwError(() => exception);
  }
}
