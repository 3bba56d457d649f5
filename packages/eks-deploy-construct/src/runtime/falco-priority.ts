/** Falco alert priorities, lowest last. */
export enum FalcoPriority {
  /** System is unusable. */
  EMERGENCY = 'emergency',
  /** Action must be taken immediately. */
  ALERT = 'alert',
  /** Critical conditions. */
  CRITICAL = 'critical',
  /** Error conditions. */
  ERROR = 'error',
  /** Warning conditions. */
  WARNING = 'warning',
  /** Normal but significant conditions. */
  NOTICE = 'notice',
  /** Informational messages. */
  INFORMATIONAL = 'informational',
  /** Debug-level messages. */
  DEBUG = 'debug',
}
