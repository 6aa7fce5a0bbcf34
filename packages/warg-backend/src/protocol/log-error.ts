import { WkgError } from "@wasm-pkg/common";

/**
 * Why a record does not fit its log. The kinds are the reference validator's error
 * variants, so messages and tests can be compared with it.
 */
export type LogErrorKind =
  | "PreviousHashOnFirstRecord"
  | "NoPreviousHashAfterInit"
  | "RecordHashDoesNotMatch"
  | "ProtocolVersionNotAllowed"
  | "TimestampLowerThanPrevious"
  | "UnauthorizedAction"
  | "InitialEntryAfterBeginning"
  | "FirstEntryIsNotInit"
  | "InitialRecordDoesNotInit"
  | "KeyIDNotRecognized"
  | "PermissionNotFoundToRevoke"
  | "ReleaseOfReleased"
  | "YankOfUnreleased"
  | "YankOfYanked"
  | "SignatureError"
  | "InvalidNamespace"
  | "NamespaceAlreadyDefined"
  | "MalformedRecord";

export function logError(kind: LogErrorKind, message: string): WkgError {
  return new WkgError("VERIFICATION", message, { details: { kind } });
}

export function logErrorKind(error: unknown): LogErrorKind | undefined {
  if (!(error instanceof WkgError)) return undefined;
  const kind = error.details?.kind;
  return typeof kind === "string" ? (kind as LogErrorKind) : undefined;
}
