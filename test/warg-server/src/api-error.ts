/** A response the server answers instead of a result: status, JSON (or text) body, extra headers. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: Record<string, unknown> | string,
    readonly headers: Record<string, string> = {},
  ) {
    super(typeof body === "string" ? body : JSON.stringify(body));
  }
}

export const notFound = (type: string, id: string | number) => new ApiError(404, { status: 404, type, id });
export const badRequest = (message: string) => new ApiError(400, { status: 400, message });
export const unprocessable = (message: string) => new ApiError(422, { status: 422, message });
export const proofFailure = (message: string) => new ApiError(422, { status: 422, reason: "failure", message });
