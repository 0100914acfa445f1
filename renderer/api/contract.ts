/**
 * The console contract, type-only: the renderer never bundles server code (zod schemas stay on
 * the server). Every method's input and output type derives from core/console/api.ts.
 */
export type {
  ApiErrorBody,
  ApiInput,
  ApiOutput,
  ConsoleApi,
  ConsoleErrorCode,
  ConsoleMethod as ApiMethod,
  ConnectionInput,
  ConnectionSummary,
  ConversationListItem,
  EnvironmentKind,
  EnvironmentTestResult,
  EnvironmentView,
  ImportResult,
  LiveServerMessage,
  LiveStatsPayload,
  OfflineCopyOf,
  OfflineSaveResult,
  PlaygroundTurn,
  ResponderInput,
  SecurityStatus,
  TrafficStatus,
} from '../../core/console/api.js';
